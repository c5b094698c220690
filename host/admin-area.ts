import express, { type NextFunction, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import { safeReturnPath, type AccountUsersModule, type LifecycleResult } from '../module/index';
import { generateToken } from './csrf';
import { DUMMY_HASH, verifyPassword } from './passwords';
import type { createLayout } from './layout';
import { hostFlash } from './layout';
import type { ModuleRegistry } from './module-registry';
import { loginEmailLimiter, loginLimiter } from './auth';
import { formField } from './form';

type Layout = ReturnType<typeof createLayout>;

/** Only a signed-in admin; anyone else (client users included) gets the admin login page. */
export function requireAdmin(req: Request, res: Response, next: NextFunction): void {
  if (req.session?.admin) return next();
  res.redirect(`/admin/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
}

/** The hosting company's admin area: its own login, the Modules page, the Outbox. */
export function adminArea(deps: {
  knex: Knex;
  layout: Layout;
  registry: ModuleRegistry;
  accountUsers: AccountUsersModule;
}): express.Router {
  const { knex, layout, registry, accountUsers } = deps;
  const { manifest } = accountUsers;
  const r = express.Router();

  const showLogin = (req: Request, res: Response, status = 200, error?: string) =>
    layout.page(
      req,
      res,
      'admin/login',
      {
        title: 'admin.login.title',
        error,
        returnTo: safeReturnPath(req.query.returnTo ?? formField(req.body, 'returnTo')) ?? '',
      },
      status,
    );

  r.get('/login', (req, res) => showLogin(req, res));
  r.post(
    '/login',
    loginLimiter(knex, 'admin-login', 10),
    loginEmailLimiter(knex, 'admin-login-email', 5),
    async (req, res) => {
      const email = formField(req.body, 'email').trim().toLowerCase().slice(0, 254);
      const password = formField(req.body, 'password').slice(0, 1024);
      const row = await knex('admins')
        .where('email', email)
        .first<{ id: number; name: string; password_hash: string } | undefined>();
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      if (!ok || !row) return showLogin(req, res, 401, 'login.failed');
      const passportData = (req.session as unknown as Record<string, unknown>).passport;
      // A new session id on admin login too; a client login in the same browser is kept.
      await new Promise<void>((resolve, reject) =>
        req.session.regenerate((err) => (err ? reject(err as Error) : resolve())),
      );
      if (passportData) (req.session as unknown as Record<string, unknown>).passport = passportData;
      req.session.admin = { id: Number(row.id), name: row.name };
      req.session.startedAt = Date.now();
      generateToken(req, true);
      req.session.save(() => res.redirect(303, safeReturnPath(formField(req.body, 'returnTo')) ?? '/admin'));
    },
  );
  r.post('/logout', (req, res) => {
    delete req.session.admin;
    req.session.save(() => res.redirect(303, '/admin/login'));
  });

  r.get('/', requireAdmin, async (req, res) => {
    const count = async (table: string) => Number(((await knex(table).count({ n: '*' }).first()) as { n: number }).n);
    await layout.page(req, res, 'admin/home', {
      title: 'admin.home.title',
      users: await count('users'),
      accounts: await count('accounts'),
      mails: await count('outbox'),
    });
  });

  const showModules = async (req: Request, res: Response, status = 200) => {
    const state = await registry.refresh(true);
    await layout.page(req, res, 'admin/modules', { title: 'admin.modules.title', manifest, state }, status);
  };
  r.get('/modules', requireAdmin, (req, res) => showModules(req, res));

  /**
   * "Are you sure?" for the two steps that take something away, saying what they take (counted by
   * the module). Only the form on this page, with `confirm=yes`, acts; the GET changes nothing.
   */
  const TAKING = ['deactivate', 'uninstall'] as const;
  for (const action of TAKING) {
    r.get(`/modules/${action}`, requireAdmin, async (req, res) => {
      const state = await registry.refresh(true);
      // Nothing to switch off or to remove: back to the Modules page, which shows the state.
      if (action === 'deactivate' ? !state.active : !state.installed) return res.redirect(303, '/admin/modules');
      const blocked = action === 'uninstall' && state.active;
      const impact = blocked ? undefined : await accountUsers.impact();
      await layout.page(
        req,
        res,
        'admin/module-confirm',
        {
          title: `admin.modules.${action}Title`,
          titleParams: { name: manifest.name },
          manifest,
          action,
          impact,
          blocked,
        },
        blocked ? 409 : 200,
      );
    });
  }

  r.post('/modules/lifecycle', requireAdmin, async (req, res) => {
    const action = formField(req.body, 'action');
    // Deactivate and Uninstall act only when confirmed on their page; a bare click (an old page) is sent there.
    if ((TAKING as readonly unknown[]).includes(action) && formField(req.body, 'confirm') !== 'yes')
      return res.redirect(303, `/admin/modules/${action}`);
    // A failing step reports an error and changes nothing in the portal's record of the module.
    const report = (result: LifecycleResult) =>
      hostFlash(req, result.status === 'success' ? 'success' : 'error', result.messageKey, result.params);
    if (action === 'activate') {
      const result = await accountUsers.activate();
      if (result.status === 'success') await registry.save({ active: true, version: manifest.version });
      report(result);
    } else if (action === 'upgrade') {
      const result = await accountUsers.upgrade();
      if (result.status === 'success') await registry.save({ version: manifest.version });
      report(result);
    } else if (action === 'deactivate') {
      const result = await accountUsers.deactivate();
      if (result.status === 'success') await registry.save({ active: false });
      report(result);
    } else if (action === 'uninstall') {
      if (registry.current().active) {
        hostFlash(req, 'error', 'admin.modules.deactivateFirst');
      } else {
        const result = await accountUsers.uninstall();
        if (result.status === 'success') await registry.remove();
        report(result);
      }
    } else {
      return showModules(req, res, 422);
    }
    res.redirect(303, '/admin/modules');
  });

  r.get('/outbox', requireAdmin, async (req, res) => {
    const rows = await knex('outbox')
      .orderBy('id', 'desc')
      .limit(100)
      .select('id', 'to_address', 'subject', 'created_at');
    await layout.page(req, res, 'admin/outbox', { title: 'admin.outbox.title', rows });
  });
  r.get('/outbox/:id', requireAdmin, async (req, res) => {
    const id = /^[1-9][0-9]{0,9}$/.test(String(req.params.id)) ? Number(req.params.id) : 0;
    const mail = id ? await knex('outbox').where('id', id).first<Record<string, unknown> | undefined>() : undefined;
    if (!mail) return layout.notFound(req, res);
    await layout.page(req, res, 'admin/mail', { title: 'admin.outbox.one', mail });
  });

  return r;
}
