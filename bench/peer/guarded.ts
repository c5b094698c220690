import type { NextFunction, Request, Response } from 'express';
import type { Portal } from '../../host/app';

/** The small answer of the guarded route; the peer's membership check answers the same shape. */
export const GUARDED_PATH = '/__bench/guarded';

/**
 * A route of the portal behind what protects its pages (its session and sign-in, then the module's
 * guard, `requirePermission` from the package's entry) that answers a small JSON instead of a page,
 * so the membership check is measured without the page's own work. The portal builds its chain inside
 * createApp and ends it with its not-found page and error handler; the route is registered on the
 * portal's app and then moved before those two, behind everything else.
 */
export function addGuardedRoute(portal: Portal): void {
  const requireLogin = (req: Request, res: Response, next: NextFunction) =>
    req.user ? next() : void res.status(401).json({ ok: false });
  portal.app.get(GUARDED_PATH, requireLogin, portal.accountUsers.requirePermission(null), (req, res) => {
    res.json({ ok: true, accountId: portal.accountUsers.accountOf(req)?.id });
  });
  const stack = (portal.app.router as unknown as { stack: Array<{ handle: { length: number } }> }).stack;
  const route = stack.pop()!;
  // The error handler (four arguments) is last, the not-found page before it.
  if (stack[stack.length - 1].handle.length !== 4) throw new Error('the portal no longer ends with its error handler');
  stack.splice(stack.length - 2, 0, route);
}
