import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { Refusal } from '../errors';
import { field, idParam, paging } from '../http';
import { idKey, pagerLinks, readCursor, readPage } from '../keyset';
import { renderPage, tOf } from '../render';
import type { AdminRepo, FoundAccount } from './repo';
import { nameOf } from '../request';
import { searchPage } from './search';

const PER_PAGE = 25;
const INVITES_PER_PAGE = 20;

export interface AccessForm {
  email: string;
  access: string;
  permissions: string[];
  errors: Partial<Record<'email' | 'permissions', string>>;
}

/** A refused change shown above the account page, with the status the page is answered with. */
export interface AccountPageState {
  addForm?: AccessForm;
  inviteForm?: AccessForm;
  refusal?: { messageKey: string; params: Record<string, unknown> };
}

const emptyForm = (): AccessForm => ({ email: '', access: '', permissions: [], errors: {} });

/** Finding an account by name; one account's owner, users and pending invitations. */
export function accountHandlers(deps: Deps, admin: AdminRepo) {
  const { ctx, membersRepo, invitesService, ownership } = deps;

  /** The account's open offer of ownership, with both people named, for staff to see. */
  async function openOffer(accountId: number) {
    const offer = await ownership.offers.openOf(accountId);
    if (!offer) return null;
    const [from, to] = await Promise.all([
      ctx.host.users.findById(offer.fromUserId),
      ctx.host.users.findById(offer.toUserId),
    ]);
    const name = (u: typeof from) => (u ? ctx.host.users.displayName(u) : '');
    return { ...offer, fromName: name(from), toName: name(to), expired: offer.expiresAt <= ctx.now() };
  }

  async function requireAccount(raw: unknown): Promise<FoundAccount> {
    const account = await admin.account(idParam(raw));
    if (!account) throw Refusal.notFound();
    return account;
  }

  const search = searchPage(
    ctx,
    'admin/accounts',
    'admin.accounts.title',
    { count: (q) => admin.countAccounts(q), page: (q, offset, limit) => admin.accounts(q, offset, limit) },
    PER_PAGE,
  );

  /** The account page; refused forms come back on it with their messages. */
  async function renderAccount(
    req: Request,
    res: Response,
    acct: FoundAccount,
    state: AccountPageState = {},
    status = 200,
  ): Promise<void> {
    const t = tOf(req);
    const q = field(req.query, 'q', 100);
    const total = await membersRepo.countListed(acct.id, q);
    const page = await readPage(readCursor(req.query, idKey), (cursor) =>
      membersRepo.members(acct.id, q, cursor, PER_PAGE),
    );
    const members = page.rows.map((m) => ({
      userId: m.userId,
      name: nameOf(ctx, m),
      email: m.email,
      isOwner: m.isOwner,
      access: ctx.catalogue.summary(t, m),
      lastLoginAt: m.lastLoginAt,
      accessUntil: m.accessUntil,
    }));
    const owner = await membersRepo.owner(acct.id);
    const invitesTotal = await invitesService.repo.countPending(acct.id);
    const ip = paging(req.query.ipage, invitesTotal, INVITES_PER_PAGE);
    const now = ctx.now();
    const pending = (await invitesService.repo.listPending(acct.id, ip.offset, INVITES_PER_PAGE)).map((inv) => ({
      id: inv.id,
      email: inv.email,
      access: ctx.catalogue.summary(t, inv),
      sentAt: inv.lastSentAt,
      expiresAt: inv.expiresAt,
      expired: inv.expiresAt <= now,
    }));
    renderPage(
      ctx,
      req,
      res,
      'admin/account',
      {
        title: 'admin.account.title',
        titleParams: { name: acct.name },
        acct,
        owner: owner ? { userId: owner.userId, name: nameOf(ctx, owner), email: owner.email } : null,
        offer: await openOffer(acct.id),
        members,
        now: ctx.now(),
        q,
        total,
        pager: pagerLinks(page, (m) => String(m.id), { q }),
        pending,
        invitesTotal,
        invitesPage: ip.page,
        invitesPages: ip.pages,
        maxUsers: ctx.settings().maxUsersPerAccount,
        addForm: state.addForm ?? emptyForm(),
        inviteForm: state.inviteForm ?? emptyForm(),
        refusal: state.refusal ?? null,
      },
      status,
    );
  }

  const show = async (req: Request, res: Response) => {
    await renderAccount(req, res, await requireAccount(req.params.accountId));
  };

  return { search, show, requireAccount, renderAccount };
}

export type AccountHandlers = ReturnType<typeof accountHandlers>;
