import express, { type Express, type RequestHandler, type Request } from 'express';
import type { HostContract, PageMessage } from './contract';
import { createContext, type ModuleContext } from './context';
import { MembersRepo } from './members/repo';
import { AccountsRepo } from './accounts/repo';
import { MembersService } from './members/service';
import { MemberNotices } from './members/notices';
import { InvitesRepo } from './invites/repo';
import { InvitesService, normaliseEmail } from './invites/service';
import { OffersRepo } from './ownership/repo';
import { OwnershipService } from './ownership/service';
import { accountOf, allowedResourceIds, createGuards, type AccountContext, type GuardOptions } from './guard';
import { clientRouter } from './client/router';
import { pausedInvitation } from './invites/paused';
import { adminRouter } from './admin/router';
import { errorHandler } from './refusal-http';
import { createLifecycle, type LifecycleImpact, type LifecycleResult } from './lifecycle';
import { manifest, type Manifest, type ModuleSettings } from './manifest';
import type { Deps } from './deps';
import { registerHooks } from '../hooks';
import { bindRequest, localeOf, readyFor } from './request';
import { takeMessages } from './session';
import { deleteLogBefore } from './log/repo';
import { translator, type Translate } from './i18n';
import { packagePath } from './paths';
import type { ResourceKind } from './scopes';
import { readSearchCharsets } from './text-search';

export type * from './contract';
export type { AccountContext, GuardOptions } from './guard';
export type { ResourceKind } from './scopes';
export type { LifecycleImpact, LifecycleResult } from './lifecycle';
export type { Manifest, ModuleSettings, SettingField } from './manifest';
export type { Translate } from './i18n';
export { manifest } from './manifest';
/** Checks a `returnTo` as the module sends it to the host's sign-in: only a local path, or undefined. */
export { safeReturnPath } from './safe-return';
/**
 * The module's rule for names (users, accounts): control and bidirectional characters are refused;
 * a host checks its own name fields with it.
 */
export { hasControlCharacters } from './names';
export * as i18n from './i18n-public';

export interface AccountUsersModule {
  manifest: Manifest;
  /** Client area pages; mount anywhere (the reference host uses /account). */
  client: Express;
  /** Admin pages, the settings page included; mount inside the host's admin area, behind its admin login. */
  admin: Express;
  /**
   * Guards a host page: loads the session's account and requires the permission key (null: any).
   * With `resource`, the route parameter `param` names an item of that kind (a service or a domain)
   * and an item outside the member's chosen ones answers 404.
   */
  requirePermission(key: string | null, options?: GuardOptions): RequestHandler;
  /**
   * The ids of the services (`products`) or domains the request's member may see and act on, or
   * null for every item (owners, All Permissions, no scope of that kind, the module switched off).
   * Call after requirePermission; it makes no query. A host filters its lists with it.
   */
  allowedResourceIds(req: Request, kind: ResourceKind): Promise<number[] | null>;
  /** The account the request works in (after requirePermission); also `res.locals.account`. */
  accountOf(req: Request): AccountContext | undefined;
  /** The user id of the account's owner as stored now (for an AccountOwnerChanged listener). */
  ownerOf(accountId: number): Promise<number | undefined>;
  /** Makes a new account's primary user its owner (what the AccountCreated hook does). */
  accountCreated(accountId: number): Promise<void>;
  /** The module's messages waiting for this request, translated; for a host page rendered after a module action. */
  messagesOf(req: Request): PageMessage[];
  /** A translator for the module's own keys (menu labels, permission labels) in a locale. */
  translator(locale: string): Translate;
  /** The permission catalogue: module.json's keys plus the host's extra ones, in order. */
  permissions: readonly string[];
  /** The settings as saved on the module's settings page (defaults from module.json). */
  settings: { current(): ModuleSettings; save(values: Record<string, unknown>): Promise<void> };
  activate(): Promise<LifecycleResult>;
  upgrade(): Promise<LifecycleResult>;
  deactivate(): Promise<LifecycleResult>;
  uninstall(): Promise<LifecycleResult>;
  installed(): Promise<boolean>;
  /**
   * What deactivating or uninstalling would take away (users other than owners with access,
   * pending invitations), for the host's confirmation page; changes nothing, zeros when not installed.
   */
  impact(): Promise<LifecycleImpact>;
  /**
   * The periodic pass: logs ended access as `access_expired` and sends the reminder three days
   * before (once each), and deletes activity-log entries older than `logRetentionDays` (a few
   * thousand a pass). Every instance runs it every few minutes by itself; a host with a scheduler
   * may call it as well.
   */
  sweep(): Promise<{ expired: number; reminded: number; logDeleted: number }>;
  /** Domain services, for seeds and tests that work without HTTP. */
  services: { members: MembersService; repo: MembersRepo; ctx: ModuleContext };
  /** Removes the module's hook registrations (tests build many apps in one process). */
  dispose(): void;
}

export interface ModuleOptions {
  /** Permission keys of the host's own, added after module.json's. */
  extraPermissions?: string[];
  /** How long a loaded copy of the settings is used before it is read again (default 2 s). */
  settingsTtlMs?: number;
}

/** How often each instance looks for access that ended or ends soon. */
const SWEEP_INTERVAL_MS = 5 * 60_000;

/** Runs `pass` every `ms` (never two at once, never keeping the process alive); returns the stop. */
function every(ms: number, pass: () => Promise<unknown>, failed: (err: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch(failed)
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

function subApp(
  ctx: ModuleContext,
  area: 'client' | 'admin',
  router: express.Router,
  whileOff?: RequestHandler,
): Express {
  const app = express();
  // Refuse everything while the admin has the module switched off: the host then answers 404
  // (`whileOff` may answer a few pages of its own first, changing nothing).
  app.use((req, res, next) => {
    readyFor(ctx, req, area).then(
      (active) => (active ? next() : whileOff ? whileOff(req, res, next) : next('router')),
      next,
    );
  });
  app.get('/account-users.css', (_req, res) =>
    res.type('text/css').sendFile(packagePath('views', 'account-users.css'), { maxAge: 3600_000 }),
  );
  // One small script file (no inline script), so a Content-Security-Policy of 'self' lets it run.
  app.get('/account-users.js', (_req, res) =>
    res.type('text/javascript').sendFile(packagePath('views', 'account-users.js'), { maxAge: 3600_000 }),
  );
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  app.use(router);
  app.use(errorHandler(ctx));
  return app;
}

/**
 * Log entries deleted per statement, and statements per pass, when the retention removes old ones:
 * 10,000 a pass. Each deleted row also leaves three secondary indexes; at 5,000,000 rows a statement
 * of 1,000 held its rows about 400 ms (docs/benchmarks.md), one of 250 about a quarter of that.
 */
const LOG_DELETE_BATCH = 250;
const LOG_DELETE_BATCHES = 40;

/** Deletes log entries older than the retention setting (0 keeps all), in short batches. */
async function pruneLog(ctx: ModuleContext): Promise<number> {
  const days = ctx.settings().logRetentionDays;
  if (!days) return 0;
  const before = ctx.now() - days * 86_400_000;
  let deleted = 0;
  for (let i = 0; i < LOG_DELETE_BATCHES; i += 1) {
    const n = await deleteLogBefore(ctx.knex, before, LOG_DELETE_BATCH);
    deleted += n;
    if (n < LOG_DELETE_BATCH) break;
  }
  return deleted;
}

// Async although nothing is awaited: a host contract the module refuses rejects the promise, as callers await it.
// eslint-disable-next-line @typescript-eslint/require-await
export async function createModule(host: HostContract, options: ModuleOptions = {}): Promise<AccountUsersModule> {
  const ctx = createContext(host, options.extraPermissions, options.settingsTtlMs);
  // In the background: until it answers, searches with letters beyond ASCII are read row by row.
  readSearchCharsets(ctx.knex, host.schema).catch((err: unknown) =>
    host.logger.warn('account users: could not read the character sets of the searched columns', { err: String(err) }),
  );
  const repo = new MembersRepo(ctx.knex, host.schema);
  const invitesRepo = new InvitesRepo(ctx.knex, host.schema);
  const offersRepo = new OffersRepo(ctx.knex, host.schema);
  let clientMount = '/account';
  const clientUrl = (path: string) => `${host.baseUrl.replace(/\/+$/, '')}${clientMount}${path}`;
  const members = new MembersService(ctx, repo, invitesRepo, new MemberNotices(ctx, clientUrl), offersRepo);
  // One repository of each kind, shared by the guard, the handlers and the login hook. The account
  // menu's counts of invitations and hand-over offers ride on the guard's one query.
  const accounts = new AccountsRepo(ctx.knex, host.schema, () => ctx.now(), {
    invitations: (email, now) => invitesRepo.countAddressedQuery(email, now),
    offers: (userId, now) => offersRepo.countOpenToQuery(userId, now),
  });
  const guards = createGuards(
    ctx,
    repo,
    accounts,
    () => clientMount,
    (user) => ({ email: normaliseEmail(user.email), offers: ownership.available() }),
    (membership) => members.noteAccessEnded(membership),
  );
  const invites = new InvitesService(ctx, invitesRepo, members, repo, () => clientMount);
  const ownership = new OwnershipService(ctx, offersRepo, members, repo, {
    owner: () => clientUrl('/ownership'),
    member: () => clientUrl('/ownership/offers'),
  });
  const deps: Deps = {
    ctx,
    guards,
    membersRepo: repo,
    accountsRepo: accounts,
    members,
    invitesService: invites,
    ownership,
  };

  const client = subApp(
    ctx,
    'client',
    clientRouter(deps, () => clientMount),
    pausedInvitation(deps),
  );
  client.on('mount', () => {
    clientMount = typeof client.mountpath === 'string' ? client.mountpath : clientMount;
  });
  const admin = subApp(ctx, 'admin', adminRouter(deps));
  const lifecycle = createLifecycle(ctx, members, invitesRepo);
  const dispose = registerHooks(
    host.hooks,
    deps,
    () => clientMount,
    () => (typeof admin.mountpath === 'string' ? admin.mountpath : ''),
  );
  // Queued e-mails whose first attempt failed are tried again by every instance (each claimed once).
  const stopMail = invites.mail.start();
  const sweep = async () => {
    if (!(await host.isActive())) return { expired: 0, reminded: 0, logDeleted: 0 };
    const ending = await members.sweepAccessEnding();
    return { ...ending, logDeleted: await pruneLog(ctx) };
  };
  const stopSweep = every(SWEEP_INTERVAL_MS, sweep, (err) =>
    host.logger.warn('access end pass failed', { err: String(err) }),
  );

  return {
    manifest,
    client,
    admin,
    requirePermission: (key, options) => guards.requirePermission(key, options),
    allowedResourceIds: (req, kind) => Promise.resolve(allowedResourceIds(req, kind)),
    accountOf,
    ownerOf: async (accountId) => (await repo.owner(accountId))?.userId,
    accountCreated: (accountId) => members.ownAccountCreated(accountId),
    messagesOf: (req) => {
      bindRequest(ctx, req);
      return takeMessages(req, localeOf(req));
    },
    translator,
    permissions: ctx.catalogue.keys,
    settings: { current: () => ctx.settings(), save: (values) => ctx.settingsCache.save(values) },
    ...lifecycle,
    sweep,
    services: { members, repo, ctx },
    dispose: () => {
      stopMail();
      stopSweep();
      dispose();
    },
  };
}
