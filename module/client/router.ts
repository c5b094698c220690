import express, { type RequestHandler } from 'express';
import type { Deps } from '../deps';
import { csrfProtection } from '../csrf';
import { Refusal } from '../errors';
import { accountOf } from '../guard';
import { userOf } from '../request';
import { signInUrl } from '../render';
import { switchHandlers } from './switch';
import { inviteHandlers } from '../invites/handlers';
import { invitationsHandlers } from '../invites/invitations';
import { usersHandlers } from './users';
import { activityHandlers } from './activity';
import { ownershipHandlers } from '../ownership/handlers';

/** Any signed-in user; the account is not needed (the chooser itself, invitation pages). */
function signedIn(deps: Deps): RequestHandler {
  return (req, res, next) => {
    if (userOf(req)) return next();
    res.redirect(signInUrl(deps.ctx, req.originalUrl));
  };
}

/**
 * The invitation's forms each fit one side of signing in: Accept needs a login, Register none.
 * Whoever posts from the other side (signed out or in since the page was shown) is sent back to
 * the invitation page, which shows the form that fits now.
 */
function invitationSide(signed: 'in' | 'out'): RequestHandler {
  return (req, res, next) => {
    if (Boolean(userOf(req)) === (signed === 'in')) return next();
    res.redirect(303, `${req.baseUrl}/invite/${encodeURIComponent(String(req.params.token))}`);
  };
}

/** The owner of the session's account, with client-area user management switched on. */
function owner(deps: Deps): RequestHandler {
  return (req, _res, next) => {
    if (deps.ctx.settings().disableClientManagement) return next(Refusal.notFound());
    if (!accountOf(req)?.isOwner) return next(Refusal.forbidden('members.errors.ownerOnly'));
    next();
  };
}

/**
 * The owner or a user manager (`manageusers`) of the session's account: User Management and the
 * account's invitations. What a manager may change there is limited in the services.
 */
function userManager(deps: Deps): RequestHandler {
  return (req, _res, next) => {
    if (deps.ctx.settings().disableClientManagement) return next(Refusal.notFound());
    if (!accountOf(req)?.can('manageusers')) return next(Refusal.forbidden('members.errors.managersOnly'));
    next();
  };
}

/**
 * Every client route in one table: path → guards → handler. `account` loads the session's
 * account (re-checked in the database) and, on a POST, refuses a form shown for another account;
 * `csrf` checks the form's `_csrf` token first, so a forged request learns nothing about accounts.
 */
export function clientRouter(deps: Deps, clientPath: () => string): express.Router {
  const r = express.Router();
  const login = signedIn(deps);
  const account = deps.guards.requirePermission(null);
  const csrf = csrfProtection;
  const sw = switchHandlers(deps, clientPath);
  const own = owner(deps);
  const manage = userManager(deps);
  const users = usersHandlers(deps);
  const activity = activityHandlers(deps);

  r.get('/switch', login, sw.show);
  r.post('/switch', login, csrf, sw.choose);

  r.get('/users', account, manage, users.list);
  r.get('/users/:userId/permissions', account, manage, users.editPermissions);
  r.post('/users/:userId/permissions', csrf, account, manage, users.savePermissions);
  r.get('/users/:userId/remove', account, manage, users.confirmRemove);
  r.post('/users/:userId/remove', csrf, account, manage, users.remove);
  r.get('/activity', account, own, activity.list);
  r.get('/leave', account, users.confirmLeave);
  r.post('/leave', csrf, account, users.leave);

  // Hand over ownership: the owner offers with their password; the chosen member answers.
  const handover = ownershipHandlers(deps);
  r.get('/ownership', account, own, handover.show);
  r.post('/ownership', csrf, account, own, handover.offer);
  r.post('/ownership/withdraw', csrf, account, own, handover.withdraw);
  r.get('/ownership/offers', login, handover.offers);
  r.post('/ownership/:offerId/accept', csrf, login, handover.accept);
  r.post('/ownership/:offerId/decline', csrf, login, handover.decline);

  const inv = inviteHandlers(deps);
  r.post('/users/invite', csrf, account, manage, inv.create);
  r.post('/invites/:inviteId/resend', csrf, account, manage, inv.resend);
  r.get('/invites/:inviteId/access', account, manage, inv.editAccess);
  r.post('/invites/:inviteId/access', csrf, account, manage, inv.saveAccess);
  r.get('/invites/:inviteId/cancel', account, manage, inv.confirmCancel);
  r.post('/invites/:inviteId/cancel', csrf, account, manage, inv.cancel);
  // The invitation link works signed out; accepting asks for a login, registering for none.
  r.get('/invite/:token', inv.show);
  r.post('/invite/:token/accept', csrf, invitationSide('in'), inv.accept);
  r.post('/invite/:token/register', csrf, invitationSide('out'), inv.register);
  // The person's own invitations, by their e-mail address: no account needed.
  const mine = invitationsHandlers(deps);
  r.get('/invitations', login, mine.list);
  r.post('/invitations/:inviteId/accept', login, csrf, mine.accept);
  r.post('/invitations/:inviteId/decline', login, csrf, mine.decline);

  return r;
}

export { owner, signedIn, userManager };
