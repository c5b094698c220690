import type { Request } from 'express';
import type { ModuleContext } from '../context';
import { tOf } from '../render';
import { flash } from '../session';

/** After sending: the address and the access it grants, so a wrong choice is seen at once. */
export function flashSent(
  ctx: ModuleContext,
  req: Request,
  made: { email: string; mailSent: boolean; allPermissions: boolean; permissions: string[] },
): void {
  const access = ctx.catalogue.summary(tOf(req), made);
  if (!made.mailSent) flash(req, 'info', 'invites.queuedFlash', { email: made.email, access });
  else if (made.allPermissions) flash(req, 'success', 'invites.sentFlashAll', { email: made.email });
  else flash(req, 'success', 'invites.sentFlash', { email: made.email, access });
}

/** After a resend: sent, queued to be tried again, or already sent a moment ago (nothing changed). */
export function flashResent(req: Request, resent: { email: string; mailSent: boolean; justSent: boolean }): void {
  if (resent.justSent) flash(req, 'info', 'invites.justSent', { email: resent.email });
  else if (resent.mailSent) flash(req, 'success', 'invites.resent', { email: resent.email });
  else flash(req, 'info', 'invites.resentQueued', { email: resent.email });
}
