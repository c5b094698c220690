import path from 'node:path';
import express, { type Request, type Response } from 'express';
import session from 'express-session';
import type { Knex } from 'knex';
import { Hooks } from '../host/hook-registry';
import { createLayout } from '../host/layout';
import { SessionStore } from '../host/session-store';
import { toHostUser, USER_COLUMNS, type UserRow } from '../host/host-contract';
import type { AccountContext } from '../module/index';

/**
 * What the host page costs before the portal adds anything: the same /services view in the same
 * layout with the same rows, for the user of `userId`, all read once at start and kept in memory.
 * `/bare/services` has no session and no database; `/session/services` only loads and touches the
 * database session the portal's cookie names, with the portal's store and settings (host/app.ts).
 */
export async function limitApp(
  knex: Knex,
  options: { userId: number; secret: string; idleMinutes: number; permissions: string[] },
): Promise<express.Express> {
  const app = express();
  app.set('view engine', 'ejs');
  app.set('views', path.join(__dirname, '..', 'host', 'views'));
  app.disable('x-powered-by');
  const layout = createLayout(new Hooks({ info: () => {}, warn: () => {}, error: () => {} }), app);

  const row = await knex('users').where('id', options.userId).first<UserRow>(USER_COLUMNS);
  const user = toHostUser(row);
  const owned = await knex('accounts').where('primary_user_id', options.userId).first<{ id: number; name: string }>();
  const rows = await knex('services').where('account_id', owned.id).orderBy('id');
  const account: AccountContext = {
    id: Number(owned.id),
    name: owned.name,
    isOwner: true,
    allPermissions: true,
    permissions: options.permissions,
    can: () => true,
  };
  const page = async (req: Request, res: Response) => {
    (req as { user?: unknown }).user = user;
    res.locals.account = account;
    res.locals.timeZone = 'UTC';
    await layout.page(req, res, 'services', { title: 'services.title', rows, canManage: true });
  };

  app.get('/bare/services', page);
  const store = new SessionStore({ knex, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
  app.get(
    '/session/services',
    session({
      name: 'portal.sid',
      secret: options.secret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: options.idleMinutes * 60_000 },
    }),
    (req, res, next) => {
      // Only a signed-in session counts: without one the page would be the bare one.
      if (!(req.session as { passport?: { user?: unknown } } | undefined)?.passport?.user) return res.sendStatus(403);
      page(req, res).catch(next);
    },
  );
  return app;
}
