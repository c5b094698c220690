import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { scopesOf, type AccountContext } from '../guard';
import type { HostUser } from '../contract';
import type { Member } from '../members/repo';
import { Refusal } from '../errors';
import { accessFields, field, idParam, userActor } from '../http';
import { idKey, pagerLinks, readCursor, readPage } from '../keyset';
import { renderPage } from '../render';
import { flash } from '../session';
import { invitesPanel } from '../invites/panel';
import { leaveAccount } from '../accounts/session';
import { parseScopeChoice, scopeFields, scopeFormData, type ResourceScopes, type ResourceKind } from '../scopes';
import { refusable } from '../refusal-http';
import { localeOf, timeZoneOf, userOf } from '../request';
import { dayInputValue, parseAccessUntil, untilBounds } from '../members/until';

const PER_PAGE = 50;

/** The account the guard loaded for this request; the router only mounts these behind it. */
function accountIn(res: Response): AccountContext {
  return res.locals.account as AccountContext;
}

/** What a permission form shows: the submitted or stored choice, only catalogue keys kept. */
interface FormState {
  access: 'all' | 'choose';
  keys: string[];
  /** The stored services and domains, or the posted choice of them. */
  scopes?: ResourceScopes;
  posted?: Record<ResourceKind, { mode: string; items: string[] }>;
  /** The end date's field as shown (YYYY-MM-DD or as typed), '' for none. */
  until: string;
}

/** User Management: the account's users, their permissions, removal, and leaving an account. */
export function usersHandlers(deps: Deps) {
  const { ctx, membersRepo, members, ownership } = deps;

  /** Whether the owner may hand the account over here, and the open offer (unexpired) they made. */
  async function handover(accountId: number) {
    if (!ownership.available()) return null;
    const offer = await ownership.offers.openOf(accountId);
    if (!offer || offer.expiresAt <= ctx.now()) return { offer: null };
    const to = await ctx.host.users.findById(offer.toUserId);
    return { offer: { toName: to ? ctx.host.users.displayName(to) : '', expiresAt: offer.expiresAt } };
  }

  /**
   * A user of the session's account whom the owner (or a user manager) may manage, with their
   * name; 404 otherwise. Nobody manages the owner or their own access here (the services hold
   * both rules too).
   */
  async function manageable(
    req: Request,
    res: Response,
    untilGiven = false,
  ): Promise<{ member: Member; user: HostUser }> {
    const userId = idParam(req.params.userId);
    const member = await membersRepo.find(accountIn(res).id, userId);
    if (!member) throw Refusal.notFound();
    // The owner's access never ends by a date: a form that asks for one is invalid, not just refused.
    if (member.isOwner && untilGiven)
      throw Refusal.invalid('until.errors.owner', {}, { accessUntil: 'until.errors.owner' });
    if (member.isOwner) throw Refusal.forbidden('members.errors.ownerFixed');
    if (member.userId === userOf(req)?.id) throw Refusal.forbidden('members.errors.notYourself');
    const user = await ctx.host.users.findById(userId);
    if (!user) throw Refusal.notFound();
    return { member, user };
  }

  const list = async (req: Request, res: Response) => {
    const account = accountIn(res);
    const search = field(req.query, 'q', 100);
    const total = await membersRepo.countListed(account.id, search);
    const page = await readPage(readCursor(req.query, idKey), (cursor) =>
      membersRepo.members(account.id, search, cursor, PER_PAGE),
    );
    renderPage(ctx, req, res, 'client/users', {
      title: 'users.title',
      rows: page.rows,
      total,
      search,
      pager: pagerLinks(page, (m) => String(m.id), { q: search }),
      catalogue: ctx.catalogue,
      now: ctx.now(),
      // The one row without actions besides the owner's: a user manager's own.
      selfId: userOf(req)?.id,
      // Handing over ownership stays the owner's.
      handover: account.isOwner ? await handover(account.id) : null,
      ...(await invitesPanel(deps, req, res)),
    });
  };

  async function showPermissions(
    req: Request,
    res: Response,
    target: { user: HostUser; member: Member },
    form: FormState,
    error?: string,
    status = 200,
    untilError?: string,
  ): Promise<void> {
    const { user, member } = target;
    // A user manager is offered only their own services and domains, and those the person has now.
    const scopes = await scopeFormData(ctx, accountIn(res).id, {
      ...form,
      grantor: scopesOf(req),
      before: { all: member.allPermissions, keys: member.permissions, scopes: member.scopes },
    });
    renderPage(
      ctx,
      req,
      res,
      'client/permissions',
      {
        title: 'permissionsPage.title',
        target: user,
        targetName: ctx.host.users.displayName(user),
        form,
        scopes,
        error,
        untilError,
        untilBounds: untilBounds(ctx.now(), timeZoneOf(req)),
      },
      status,
    );
  }

  const editPermissions = async (req: Request, res: Response) => {
    const { member, user } = await manageable(req, res);
    await showPermissions(
      req,
      res,
      { user, member },
      {
        access: member.allPermissions ? 'all' : 'choose',
        keys: member.permissions,
        scopes: member.scopes,
        until: dayInputValue(member.accessUntil, timeZoneOf(req)),
      },
    );
  };

  const savePermissions = async (req: Request, res: Response) => {
    const untilText = field(req.body, 'accessUntil', 40);
    const { member, user } = await manageable(req, res, untilText !== '');
    // Only `access`, `permissions` and the end date are read: account ids or owner flags change nothing.
    const form = accessFields(req.body);
    const posted = scopeFields(req.body);
    const parsed = ctx.catalogue.parseChoice(form.access, form.permissions);
    const until = parseAccessUntil(untilText, localeOf(req), timeZoneOf(req), ctx.now());
    // The items are checked against the host's list of the account's own: another account's are refused.
    const scoped = 'error' in parsed ? parsed : await parseScopeChoice(ctx, accountIn(res).id, parsed, posted);
    if ('error' in parsed || 'error' in scoped || 'error' in until) {
      const keys = ctx.catalogue.keys.filter((k) => form.permissions.includes(k));
      const access = form.access === 'all' ? 'all' : 'choose';
      const error = 'error' in scoped ? scoped.error : undefined;
      const untilError = 'error' in until ? until.error : undefined;
      const state: FormState = { access, keys, posted, until: untilText };
      await showPermissions(req, res, { user, member }, state, error, 422, untilError);
      return;
    }
    const choice = { ...parsed, scopes: scoped.scopes };
    const name = ctx.host.users.displayName(user);
    const shown: FormState = {
      access: choice.all ? 'all' : 'choose',
      keys: choice.keys,
      posted,
      until: untilText,
    };
    // A user manager asking for more than they hold sees the form again with the refusal.
    await refusable(
      async () => {
        if (await members.setPermissions(userActor(req), accountIn(res).id, member.userId, choice, until.until))
          flash(req, 'success', 'permissionsPage.saved', { name });
        else flash(req, 'info', 'permissionsPage.unchanged', { name });
        res.redirect(303, `${req.baseUrl}/users`);
      },
      (refusal, status) => showPermissions(req, res, { user, member }, shown, refusal.messageKey, status),
      ['forbidden'],
    );
  };

  const confirmRemove = async (req: Request, res: Response) => {
    const { user } = await manageable(req, res);
    renderPage(ctx, req, res, 'client/remove', {
      title: 'users.remove.title',
      target: user,
      targetName: ctx.host.users.displayName(user),
    });
  };

  const remove = async (req: Request, res: Response) => {
    const { member, user } = await manageable(req, res);
    await members.remove(userActor(req), accountIn(res).id, member.userId);
    flash(req, 'success', 'users.remove.done', { name: ctx.host.users.displayName(user) });
    res.redirect(303, `${req.baseUrl}/users`);
  };

  /** Owners can not leave, and the admin may have switched leaving off. */
  function requireMayLeave(res: Response): AccountContext {
    const account = accountIn(res);
    if (account.isOwner) throw Refusal.forbidden('leave.errors.owner');
    if (!ctx.settings().allowLeave) throw Refusal.forbidden('members.errors.leaveDisabled');
    return account;
  }

  const confirmLeave = (req: Request, res: Response) => {
    const account = requireMayLeave(res);
    renderPage(ctx, req, res, 'client/leave', { title: 'leave.title', accountName: account.name });
  };

  const leave = async (req: Request, res: Response) => {
    const account = requireMayLeave(res);
    await members.leave(userActor(req), account.id);
    leaveAccount(req);
    flash(req, 'success', 'leave.done', { name: account.name });
    res.redirect(303, `${req.baseUrl}/switch`);
  };

  return { list, editPermissions, savePermissions, confirmRemove, remove, confirmLeave, leave };
}
