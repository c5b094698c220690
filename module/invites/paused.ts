import type { RequestHandler } from 'express';
import type { Deps } from '../deps';
import { isInstalled } from '../migrate';
import { renderPage } from '../render';

/**
 * While the host has the module switched off, every path of the client app is the host's 404 —
 * except an invitation link that would work: its invitee is told that access is paused until the
 * hosting company turns it back on (not that the link is invalid), and the link works again then.
 * Nothing is accepted or written; unknown, used, cancelled or expired links stay the host's 404.
 */
export function pausedInvitation(deps: Deps): RequestHandler {
  const { ctx, invitesService } = deps;
  // Express 5 passes a rejected promise on to the error handler.
  return async (req, res, next) => {
    const token = req.method === 'GET' ? /^\/invite\/([^/]+)\/?$/.exec(req.path)?.[1] : undefined;
    if (token === undefined) return next('router');
    // Uninstalled: no invitation exists any more.
    const valid = (await isInstalled(ctx.knex)) ? await invitesService.open(token) : undefined;
    if (!valid) return next('router');
    res.set('Cache-Control', 'no-store');
    renderPage(
      ctx,
      req,
      res,
      'client/invite-paused',
      { title: 'invitePage.pausedTitle', accountName: valid.accountName, expiresAt: valid.invite.expiresAt },
      503,
    );
  };
}
