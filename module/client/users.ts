import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { AccountContext } from '../guard';
import type { HostUser } from '../contract';
import type { Member } from '../members/repo';
import { Refusal } from '../errors';
import { accessFields, field, idParam, paging, userActor } from '../http';
import { renderPage } from '../render';
import { flash } from '../session';
import { invitesPanel } from '../invites/panel';
import { leaveAccount } from '../accounts/session';
import { localeOf, timeZoneOf } from '../request';
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

  /** A user of the session's account whom the owner may manage, with their name; 404 otherwise. */
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
    const user = await ctx.host.users.findById(userId);
    if (!user) throw Refusal.notFound();
    return { member, user };
  }

  const list = async (req: Request, res: Response) => {
    const account = accountIn(res);
    const search = field(req.query, 'q', 100);
    const total = await membersRepo.countMembers(account.id, search);
    const { page, pages, offset } = paging(req.query.page, total, PER_PAGE);
    const rows = await membersRepo.members(account.id, search, offset, PER_PAGE);
    renderPage(ctx, req, res, 'client/users', {
      title: 'users.title',
      rows,
      total,
      search,
      page,
      pages,
      catalogue: ctx.catalogue,
      now: ctx.now(),
      handover: await handover(account.id),
      ...(await invitesPanel(deps, req, res)),
    });
  };

  function showPermissions(
    req: Request,
    res: Response,
    user: HostUser,
    form: FormState,
    error?: string,
    status = 200,
    untilError?: string,
  ): void {
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
        error,
        untilError,
        untilBounds: untilBounds(ctx.now(), timeZoneOf(req)),
      },
      status,
    );
  }

  const editPermissions = async (req: Request, res: Response) => {
    const { member, user } = await manageable(req, res);
    showPermissions(req, res, user, {
      access: member.allPermissions ? 'all' : 'choose',
      keys: member.permissions,
      until: dayInputValue(member.accessUntil, timeZoneOf(req)),
    });
  };

  const savePermissions = async (req: Request, res: Response) => {
    const untilText = field(req.body, 'accessUntil', 40);
    const { member, user } = await manageable(req, res, untilText !== '');
    // Only `access`, `permissions` and the end date are read: account ids or owner flags change nothing.
    const form = accessFields(req.body);
    const choice = ctx.catalogue.parseChoice(form.access, form.permissions);
    const until = parseAccessUntil(untilText, localeOf(req), timeZoneOf(req), ctx.now());
    if ('error' in choice || 'error' in until) {
      const keys = ctx.catalogue.keys.filter((k) => form.permissions.includes(k));
      const state: FormState = { access: form.access === 'all' ? 'all' : 'choose', keys, until: untilText };
      const untilError = 'error' in until ? until.error : undefined;
      showPermissions(req, res, user, state, 'error' in choice ? choice.error : undefined, 422, untilError);
      return;
    }
    const name = ctx.host.users.displayName(user);
    if (await members.setPermissions(userActor(req), accountIn(res).id, member.userId, choice, until.until))
      flash(req, 'success', 'permissionsPage.saved', { name });
    else flash(req, 'info', 'permissionsPage.unchanged', { name });
    res.redirect(303, `${req.baseUrl}/users`);
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
