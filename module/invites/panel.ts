import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { ModuleContext } from '../context';
import { accountOf, scopesOf } from '../guard';
import { paging } from '../http';
import { tOf } from '../render';
import { timeZoneOf } from '../request';
import { untilBounds } from '../members/until';
import { BULK_MAX } from './service';
import { scopeFormData } from '../scopes';

const PER_PAGE = 20;
/** The longest text the invite form's address field takes: room for BULK_MAX addresses and separators. */
export const BULK_TEXT_MAX = 6000;
/** The most recently declined invitations User Management shows (those of the last week). */
const DECLINED_SHOWN = 20;

export interface InviteFormState {
  email: string;
  access: string;
  permissions: string[];
  /** The end date's field as typed ('' for none). */
  accessUntil: string;
  errors: Partial<Record<'email' | 'permissions' | 'accessUntil', string>>;
  /** Values the field errors' messages name (a limit, a count). */
  errorParams: Record<string, unknown>;
}

/** What views/client/invite-fields.ejs needs: the submitted values (or none) and their errors. */
export function inviteFormData(
  ctx: ModuleContext,
  req: Request,
  form: Partial<InviteFormState> = {},
): Record<string, unknown> {
  return {
    inviteForm: {
      email: form.email ?? '',
      access: form.access ?? '',
      permissions: form.permissions ?? [],
      accessUntil: form.accessUntil ?? '',
      untilBounds: untilBounds(ctx.now(), timeZoneOf(req)),
      errors: form.errors ?? {},
      errorParams: form.errorParams ?? {},
      maxLength: BULK_TEXT_MAX,
      maxAddresses: BULK_MAX,
    },
  };
}

/**
 * View data for the pending invitations and the invite form on the User Management page: one
 * page of pending invitations (query `ipage`), newest first, each marked pending or expired, and
 * the invitations declined within the last week.
 */
export async function invitesPanel(deps: Deps, req: Request, _res: Response): Promise<Record<string, unknown>> {
  const account = accountOf(req);
  if (!account)
    return {
      pendingInvites: [],
      pendingInvitesTotal: 0,
      pendingInvitesPage: 1,
      pendingInvitesPages: 1,
      declinedInvites: [],
      ...inviteFormData(deps.ctx, req),
    };
  const total = await deps.invitesService.repo.countPending(account.id);
  const { page, pages, offset } = paging(req.query.ipage, total, PER_PAGE);
  const rows = await deps.invitesService.repo.listPending(account.id, offset, PER_PAGE);
  const now = deps.ctx.now();
  const t = tOf(req);
  return {
    pendingInvites: rows.map((invite) => ({
      id: invite.id,
      email: invite.email,
      sentAt: invite.lastSentAt,
      expiresAt: invite.expiresAt,
      expired: invite.expiresAt <= now,
      access: deps.ctx.catalogue.summary(t, invite),
      accessUntil: invite.accessUntil,
    })),
    pendingInvitesTotal: total,
    pendingInvitesPage: page,
    pendingInvitesPages: pages,
    declinedInvites: (await deps.invitesService.declinedRecently(account.id, DECLINED_SHOWN)).map((invite) => ({
      email: invite.email,
      declinedAt: invite.declinedAt,
      access: deps.ctx.catalogue.summary(t, invite),
    })),
    ...inviteFormData(deps.ctx, req),
    inviteScopes: await scopeFormData(deps.ctx, account.id, { grantor: scopesOf(req) }),
  };
}
