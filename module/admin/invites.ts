import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { HostUser } from '../contract';
import { Refusal } from '../errors';
import { refusable } from '../refusal-http';
import { accessFields, field, idParam } from '../http';
import { localeOf, renderPage } from '../render';
import { flash } from '../session';
import { flashResent, flashSent } from '../invites/flash';
import type { AccountHandlers } from './accounts';
import type { FoundAccount } from './repo';
import { adminActor } from './common';

/** The invitation service's refusals, worded for staff where the owner's wording would mislead. */
const STAFF_WORDING: Record<string, string> = { 'invites.errors.ownAddress': 'admin.invite.errors.ownerAddress' };

type InviteForm = { email: string; access: string; permissions: string[] };

/** Invitations sent, sent again and cancelled by staff on an account's behalf. */
export function inviteHandlers(deps: Deps, accounts: AccountHandlers) {
  const { ctx, membersRepo, invitesService } = deps;

  const accountPath = (req: Request, accountId: number) => `${req.baseUrl}/accounts/${accountId}`;

  /**
   * The e-mail names the account's owner as the inviter, in the owner's language: the invitee
   * joins their account, not the hosting company's staff.
   */
  async function inviterOf(acct: FoundAccount): Promise<HostUser> {
    const owner = await membersRepo.owner(acct.id);
    const user = owner ? await ctx.host.users.findById(owner.userId) : undefined;
    if (!user) throw Refusal.conflict('admin.invite.errors.noOwner');
    return user;
  }

  const locale = (req: Request, inviter: HostUser) => inviter.locale || localeOf(req);

  function staffWorded(refused: Refusal) {
    const messageKey = STAFF_WORDING[refused.messageKey] ?? refused.messageKey;
    const errors = Object.fromEntries(
      Object.entries(refused.fieldErrors).map(([k, v]) => [k, v ? (STAFF_WORDING[v] ?? v) : v]),
    );
    return { messageKey, params: refused.params, errors };
  }

  /** The account page again with a refused invitation or resend, in staff's words (and the form, if any). */
  const showRefused =
    (req: Request, res: Response, acct: FoundAccount, form?: InviteForm) =>
    async (refused: Refusal, status: number) => {
      const { messageKey, params, errors } = staffWorded(refused);
      const inviteForm = form && { ...form, errors };
      await accounts.renderAccount(req, res, acct, { inviteForm, refusal: { messageKey, params } }, status);
    };

  /** Who sends a staff invitation and in which language: the account's owner, in theirs. */
  async function sender(req: Request, acct: FoundAccount) {
    const inviter = await inviterOf(acct);
    return {
      actor: adminActor(ctx, req),
      inviter,
      account: { id: acct.id, name: acct.name },
      locale: locale(req, inviter),
    };
  }

  const send = async (req: Request, res: Response) => {
    const acct = await accounts.requireAccount(req.params.accountId);
    const form = { email: field(req.body, 'email', 1000), ...accessFields(req.body) };
    const { actor, inviter, account, locale } = await sender(req, acct);
    await refusable(
      async () => {
        flashSent(ctx, req, await invitesService.invite(actor, inviter, account, form, locale));
        res.redirect(303, accountPath(req, acct.id));
      },
      showRefused(req, res, acct, form),
    );
  };

  const resend = async (req: Request, res: Response) => {
    const acct = await accounts.requireAccount(req.params.accountId);
    const id = idParam(req.params.inviteId);
    await invitesService.pendingOf(acct.id, id);
    const { actor, inviter, account, locale } = await sender(req, acct);
    await refusable(
      async () => {
        flashResent(req, await invitesService.resend(actor, inviter, account, id, locale));
        res.redirect(303, accountPath(req, acct.id));
      },
      showRefused(req, res, acct),
    );
  };

  const confirmCancel = async (req: Request, res: Response) => {
    const acct = await accounts.requireAccount(req.params.accountId);
    const invite = await invitesService.pendingOf(acct.id, idParam(req.params.inviteId));
    renderPage(ctx, req, res, 'admin/invite-cancel', { title: 'invites.cancelTitle', acct, invite });
  };

  const cancel = async (req: Request, res: Response) => {
    const acct = await accounts.requireAccount(req.params.accountId);
    const invite = await invitesService.cancel(adminActor(ctx, req), acct.id, idParam(req.params.inviteId));
    flash(req, 'success', 'invites.cancelled', { email: invite.email });
    res.redirect(303, accountPath(req, acct.id));
  };

  return { send, resend, confirmCancel, cancel };
}
