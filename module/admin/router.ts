import express, { type RequestHandler } from 'express';
import type { Deps } from '../deps';
import { csrfProtection } from '../csrf';
import { Refusal } from '../errors';
import { overviewHandler } from './overview';
import { AdminRepo } from './repo';
import { userHandlers } from './users';
import { accountHandlers } from './accounts';
import { memberHandlers } from './members';
import { inviteHandlers } from './invites';
import { logHandlers } from './log';
import { settingsHandlers } from './settings';

/** Only a signed-in admin of the host; the host also guards the mount, this holds if it forgets. */
function adminOnly(deps: Deps): RequestHandler {
  return (req, _res, next) => (deps.ctx.host.admins.current(req) ? next() : next(Refusal.notFound()));
}

/**
 * The module's admin pages, in one table: path → guards → handler. `admin` requires a signed-in
 * staff member; `csrf` checks the form's `_csrf` token on every change.
 */
export function adminRouter(deps: Deps): express.Router {
  const r = express.Router();
  const admin = adminOnly(deps);
  const csrf = csrfProtection;
  const repo = new AdminRepo(deps.ctx.knex, deps.ctx.host.schema);
  const users = userHandlers(deps, repo);
  const accounts = accountHandlers(deps, repo);
  const members = memberHandlers(deps, repo, accounts);
  const invites = inviteHandlers(deps, accounts);
  const log = logHandlers(deps, repo);

  r.get('/', admin, overviewHandler(deps));

  const settings = settingsHandlers(deps);
  r.get('/settings', admin, settings.show);
  r.post('/settings', admin, csrf, settings.save);

  r.get('/users', admin, users.search);
  r.get('/users/:userId', admin, users.show);
  r.get('/users/:userId/log', admin, log.ofUser);

  r.get('/accounts', admin, accounts.search);
  r.get('/accounts/:accountId', admin, accounts.show);
  r.get('/accounts/:accountId/log', admin, log.ofAccount);
  r.post('/accounts/:accountId/users', admin, csrf, members.add);
  r.get('/accounts/:accountId/users/:userId/owner', admin, members.confirmOwner);
  r.post('/accounts/:accountId/users/:userId/owner', admin, csrf, members.makeOwner);
  r.get('/accounts/:accountId/users/:userId/permissions', admin, members.editPermissions);
  r.post('/accounts/:accountId/users/:userId/permissions', admin, csrf, members.savePermissions);
  r.get('/accounts/:accountId/users/:userId/remove', admin, members.confirmRemove);
  r.post('/accounts/:accountId/users/:userId/remove', admin, csrf, members.remove);

  r.post('/accounts/:accountId/invites', admin, csrf, invites.send);
  r.post('/accounts/:accountId/invites/:inviteId/resend', admin, csrf, invites.resend);
  r.get('/accounts/:accountId/invites/:inviteId/cancel', admin, invites.confirmCancel);
  r.post('/accounts/:accountId/invites/:inviteId/cancel', admin, csrf, invites.cancel);

  return r;
}
