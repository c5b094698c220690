import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Knex } from 'knex';
import {
  createModule,
  i18n,
  type AccountContext,
  type AccountUsersModule,
  type GuardOptions,
  type Logger,
} from '../module/index';
import { csrfProtection, generateToken } from './csrf';
import { authRoutes, configurePassport, createSignIn } from './auth';
import { adminArea, requireAdmin } from './admin-area';
import { clientPages } from './client-pages';
import type { HostConfig } from './config';
import { Hooks } from './hook-registry';
import { buildHostContract } from './host-contract';
import { createLayout, holdsSession, viewLocals } from './layout';
import { createMailer } from './mailer';
import { ModuleRegistry } from './module-registry';
import { SessionStore } from './session-store';
import './session-types';

/** The portal's own strings: its pages, menus and messages. The module's are in the package's lang/. */
export const PORTAL_LANG_DIR = path.join(__dirname, 'lang');

export interface PortalOptions {
  knex: Knex;
  config: HostConfig;
  logger?: Logger;
  /** Milliseconds between reads of the module's on/off state and settings from the database. */
  moduleStateTtlMs?: number;
  /** A request with no answer after this long gets the 503 page (a database that stopped answering). */
  requestTimeoutMs?: number;
  now?: () => number;
}

export interface Portal {
  app: express.Express;
  accountUsers: AccountUsersModule;
  registry: ModuleRegistry;
  hooks: Hooks;
  close(): Promise<void>;
}

export const consoleLogger: Logger = {
  info: (msg, meta) => console.log(msg, meta ?? ''),
  warn: (msg, meta) => console.warn(msg, meta ?? ''),
  error: (msg, meta) => console.error(msg, meta ?? ''),
};

/** Builds the reference portal with the module mounted; it does not listen (the start script does). */
export async function createApp(options: PortalOptions): Promise<Portal> {
  const { knex, config } = options;
  const logger = options.logger ?? consoleLogger;
  const hooks = new Hooks(logger);
  const registry = new ModuleRegistry(knex, 'account_users', options.moduleStateTtlMs ?? 2000);
  await registry.refresh(true);
  // Languages: the portal's default; its own pages' strings (host/lang) beside the module's lang/, and
  // the operator's overrides over both (like WHMCS overrides).
  i18n.setDefaultLocale(config.defaultLocale);
  i18n.addHostCatalogue(PORTAL_LANG_DIR);
  if (config.langOverridesDir) i18n.addOverrideDir(path.resolve(config.langOverridesDir));
  // The company name of the portal's header, also the sender's name of its e-mails and the module's.
  const brandName = i18n.translate(i18n.defaultLocale(), 'brand');
  const mailer = createMailer(knex, {
    smtpUrl: config.smtpUrl,
    mailDir: config.mailDir,
    from: { name: brandName, address: `no-reply@${new URL(config.baseUrl).hostname}` },
  });
  // The Outbox (and MAIL_DIR) is a development mail sink: it keeps every invitation link in full.
  if (config.production && !config.smtpUrl) {
    logger.warn(
      'SMTP_URL is not set: e-mails go to the Outbox (and MAIL_DIR), which keep invitation links readable. ' +
        'Set SMTP_URL in production.',
    );
  }

  const app = express();
  const layout = createLayout(hooks, app);
  const moduleActive = () => registry.current().active;
  const signIn = createSignIn({ knex, hooks, moduleActive });
  const accountUsers = await createModule(
    buildHostContract({
      knex,
      hooks,
      registry,
      mailer,
      baseUrl: config.baseUrl,
      brandName,
      logger,
      renderPage: (req, res, page) => layout.renderPage(req, res, page),
      signIn,
      timeZone: config.timeZone,
      now: options.now,
    }),
    { settingsTtlMs: options.moduleStateTtlMs },
  );
  layout.showModuleMessages((req) => accountUsers.messagesOf(req));
  // The portal keeps its primary user in step with the owner, so switching the module off later
  // leaves the right person in charge. Moves made at once may deliver their events out of order,
  // so the listener copies whoever owns the account as stored now: the last event leaves the final owner.
  // Moves at once fire their events at once, and a handler may write an owner read before a later
  // move: each reads the owner again after writing and writes once more when it has changed, so
  // the last write is always of the owner now.
  const onOwnerChanged = async (p: { accountId: number }) => {
    let owner = await accountUsers.ownerOf(p.accountId);
    for (let attempt = 0; owner !== undefined && attempt < 5; attempt += 1) {
      await knex('accounts').where('id', p.accountId).update({ primary_user_id: owner });
      const now = await accountUsers.ownerOf(p.accountId);
      if (now === owner) return;
      owner = now;
    }
  };
  hooks.on('AccountOwnerChanged', onOwnerChanged);

  app.set('view engine', 'ejs');
  app.set('views', path.join(__dirname, 'views'));
  app.set('trust proxy', config.trustProxy ? 1 : false);
  app.disable('x-powered-by');

  app.use(helmet({ contentSecurityPolicy: { directives: { 'form-action': ["'self'"] } } }));
  app.use('/assets', express.static(path.join(__dirname, 'public'), { maxAge: '1h' }));
  // A database that stops answering (a network partition, not a refusal) must not hold requests
  // open forever: past the limit the visitor gets the 503 page instead of a page that never loads.
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  app.use((req, res, next) => {
    const timer = setTimeout(() => {
      if (!res.headersSent) renderError(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' }), req, res);
    }, requestTimeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.on('finish', clear);
    res.on('close', clear);
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));

  const store = new SessionStore({ knex, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
  // Expired sessions are deleted at start and then regularly, by every instance (the DELETE is idempotent).
  const deleteExpiredSessions = () =>
    void store
      .deleteExpired()
      .catch((err: unknown) => logger.warn('expired sessions not deleted', { err: String(err) }));
  deleteExpiredSessions();
  const sessionCleanup = setInterval(deleteExpiredSessions, SESSION_CLEANUP_MS);
  sessionCleanup.unref();
  app.use(
    session({
      name: 'portal.sid',
      secret: config.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.trustProxy ? 'auto' : false,
        maxAge: config.sessionIdleMinutes * 60_000,
      },
    }),
  );
  // Absolute session lifetime: however active, a session ends this long after sign-in.
  app.use((req, res, next) => {
    const started = req.session?.startedAt;
    if (started && Date.now() - started > config.sessionAbsoluteMinutes * 60_000) {
      return req.session.destroy(() => res.redirect('/login'));
    }
    // Every sign-in sets the start (createSignIn); a session stored before that was recorded starts the clock here.
    if (
      !started &&
      (req.session as unknown as { passport?: { user?: unknown } } | undefined)?.passport?.user !== undefined
    ) {
      req.session.startedAt = Date.now();
    }
    next();
  });
  const passport = configurePassport(knex);
  app.use(passport.initialize());
  app.use(passport.session());
  // A signed-in person's pages and the admin area hold personal and billing data: no cache keeps them.
  app.use((req, res, next) => {
    if (req.user || req.session?.admin || req.path.startsWith('/admin')) res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(async (_req, res, next) => {
    res.locals.timeZone = config.timeZone;
    try {
      await registry.refresh();
      next();
    } catch (err) {
      next(err);
    }
  });
  app.use((req, _res, next) => {
    // csrf-sync's helper puts the token in the session; views read it from req.csrfToken().
    req.csrfToken = (overwrite?: boolean) => generateToken(req, overwrite);
    next();
  });
  // The module's apps check their own CSRF token; the portal's check covers everything else.
  const clientMount = '/account';
  const adminMount = '/admin/modules/account_users';
  app.use(clientMount, accountUsers.client);
  app.use(adminMount, requireAdmin, accountUsers.admin);
  const underModule = (path: string) =>
    [clientMount, adminMount].some((mount) => path === mount || path.startsWith(`${mount}/`));
  // Past them only while the module is off: its paths then answer 404, not a CSRF refusal. A
  // visitor never given a token has no session to protect: the footer's language picker (which
  // only sets their language cookie) works without one, so reading pages stores no session.
  const languageWithoutSession = (req: Request) =>
    req.method === 'POST' && req.path === '/language' && !holdsSession(req);
  app.use((req, res, next) =>
    underModule(req.path) || languageWithoutSession(req) ? next() : csrfProtection(req, res, next),
  );

  /** Without the module, an account is opened only by its primary user, with full access. */
  const ownAccount = async (req: Request, res: Response, next: NextFunction) => {
    if (moduleActive()) return next();
    const user = req.user as { id: number } | undefined;
    const row = user
      ? await knex('accounts')
          .where({ primary_user_id: user.id, status: 'active' })
          .first<{ id: number; name: string } | undefined>('id', 'name')
      : undefined;
    if (!row) return res.redirect('/no-account');
    const account: AccountContext = {
      id: Number(row.id),
      name: row.name,
      isOwner: true,
      allPermissions: true,
      permissions: [...accountUsers.permissions],
      can: () => true,
    };
    res.locals.account = account;
    next();
  };
  const requireLogin = (req: Request, res: Response, next: NextFunction) =>
    req.user ? next() : res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  const guard = (key: string | null, options?: GuardOptions) => [
    requireLogin,
    (req: Request, res: Response, next: NextFunction) => {
      ownAccount(req, res, next).catch(next);
    },
    accountUsers.requirePermission(key, options),
  ];

  app.use(authRoutes({ knex, passport, layout, signIn }));
  app.get('/no-account', requireLogin, (req, res, next) => {
    // Installed but switched off: access given through the module is paused, not gone.
    const { installed, active } = registry.current();
    layout.page(req, res, 'no-account', { title: 'noAccount.title', paused: installed && !active }, 403).catch(next);
  });
  app.use(clientPages({ knex, layout, guard, allowed: (req, kind) => accountUsers.allowedResourceIds(req, kind) }));
  app.use('/admin', adminArea({ knex, layout, registry, accountUsers }));

  app.use((req, res, next) => {
    layout.notFound(req, res).catch(next);
  });
  app.use((err: RequestError, req: Request, res: Response, _next: NextFunction) => renderError(err, req, res));

  return {
    app,
    accountUsers,
    registry,
    hooks,
    close() {
      clearInterval(sessionCleanup);
      accountUsers.dispose();
      hooks.off('AccountOwnerChanged', onOwnerChanged);
      return Promise.resolve();
    },
  };

  function renderError(err: RequestError, req: Request, res: Response): void {
    const unavailable = isDatabaseUnavailable(err);
    const status = unavailable
      ? 503
      : err.code === 'EBADCSRFTOKEN'
        ? 403
        : err.status && err.status >= 400 && err.status < 500
          ? err.status
          : 500;
    if (unavailable) logger.warn('database unavailable', { url: req.originalUrl, code: err.code ?? err.name });
    else if (status >= 500) logger.error('request failed', { url: req.originalUrl, err: loggable(err) });
    const message = unavailable
      ? 'errors.unavailable'
      : err.code === 'EBADCSRFTOKEN'
        ? 'errors.csrf'
        : (err.messageKey ??
          (status === 413 ? 'errors.tooLarge' : status >= 500 ? 'errors.server' : 'errors.badRequest'));
    const title =
      status === 403
        ? 'errors.forbiddenTitle'
        : unavailable
          ? 'errors.unavailableTitle'
          : status >= 500
            ? 'errors.serverTitle'
            : 'errors.title';
    if (res.headersSent) return;
    if (unavailable) res.set('Retry-After', '5');
    try {
      const locals = viewLocals(req, res);
      // Never a stack trace outside development.
      const detail = !config.production && process.env.NODE_ENV === 'development' ? err.stack : undefined;
      const signedInAdmin = req.session?.admin;
      // With the database away the session cannot be saved: the page goes out without trying.
      if (unavailable) (req as unknown as { session?: unknown }).session = undefined;
      // The portal's own app renders it: a timeout can fire while the request is inside a mounted
      // sub-app (the module's router), whose res.render would look for 'layout' in its own views.
      const page = {
        ...res.locals,
        ...locals,
        admin: req.originalUrl.startsWith('/admin'),
        returnTo: '/',
        title: locals.t(title),
        body:
          `<h1>${escapeHtml(locals.t(title))}</h1><p>${escapeHtml(locals.t(message))}</p>` +
          (detail ? `<pre>${escapeHtml(detail)}</pre>` : ''),
        primary: [],
        accountMenu: [],
        signedInAdmin,
        flash: [],
      };
      app.render('layout', page, (renderErr: Error | null, html?: string) => {
        if (res.headersSent) return;
        if (renderErr || html === undefined) res.status(status).type('text/plain').send(String(status));
        else res.status(status).type('html').send(html);
      });
    } catch {
      res.status(status).type('text/plain').send(String(status));
    }
  }
}

/** How often expired sessions are deleted from the store. */
export const SESSION_CLEANUP_MS = 15 * 60_000;

type RequestError = Error & { status?: number; code?: string; messageKey?: string; type?: string };

/** Codes of a database that cannot be reached or is full: a temporary outage (503), not a bug. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_BUSY',
  // A deadlock rolled the whole transaction back: nothing was written, and trying again works.
  'ER_LOCK_DEADLOCK',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; fatal?: boolean } | undefined;
  if (!e) return false;
  return (
    e.name === 'KnexTimeoutError' || (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) || e.fatal === true
  );
}

/**
 * What the error log keeps of a failure. A database error's message repeats the statement with its
 * values (names, addresses) and the driver's own may quote one ("Duplicate entry 'x'"), so for
 * those only the code and where it happened are kept.
 */
export function loggable(err: RequestError): string {
  const db = err as RequestError & { sql?: string; errno?: number };
  const fromDatabase =
    db.sql !== undefined ||
    err.name === 'SqliteError' ||
    (typeof db.code === 'string' && /^(ER_|SQLITE_)/.test(db.code));
  if (!fromDatabase) return err.stack ?? String(err);
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return [`database error ${db.code ?? ''} ${db.errno ?? ''}`.trim(), ...frames].join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
