import express, { type RequestHandler } from 'express';
import type { Deps } from '../deps';
import { csrfProtection } from '../csrf';
import { ModuleError } from '../errors';
import { handler } from '../http';
import { renderPage } from '../render';
import { TABLES } from '../tables';

/** Only a signed-in admin of the host; the host also guards the mount, this holds if it forgets. */
function adminOnly(deps: Deps): RequestHandler {
  return (req, _res, next) => (deps.ctx.host.admins.current(req) ? next() : next(ModuleError.notFound()));
}

/** The module's admin pages, in one table: path → guards → handler. */
export function adminRouter(deps: Deps): express.Router {
  const r = express.Router();
  const admin = adminOnly(deps);
  void csrfProtection;

  r.get(
    '/',
    admin,
    handler(async (req, res) => {
      const count = async (table: string, where: (q: any) => any = (q) => q) =>
        Number(((await where(deps.ctx.knex(table)).count({ n: '*' }).first()) as { n: number })?.n ?? 0);
      renderPage(deps.ctx, req, res, 'admin/overview', {
        title: 'admin.title',
        memberships: await count(TABLES.members),
        pendingInvites: await count(TABLES.invites, (q) => q.whereNotNull('pending_email')),
      });
    }),
  );

  return r;
}
