import type { Request } from 'express';
import type { ModuleContext } from '../context';
import { tOf } from '../render';
import { flash } from '../session';

/** After sending: the address and the access it grants, so a wrong choice is seen at once. */
export function flashSent(ctx: ModuleContext, req: Request, made: { email: string; mailSent: boolean; allPermissions: boolean; permissions: string[] }): void {
  const access = ctx.catalogue.summary(tOf(req), made);
  if (!made.mailSent) flash(req, 'info', 'invites.queuedFlash', { email: made.email, access });
  else if (made.allPermissions) flash(req, 'success', 'invites.sentFlashAll', { email: made.email });
  else flash(req, 'success', 'invites.sentFlash', { email: made.email, access });
}
