import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import request, { type Response } from 'supertest';
import { CookieAccessInfo } from 'cookiejar';
import { createApp, type Portal } from '../../host/app';
import type { HostConfig } from '../../host/config';
import { emptyDatabase, sharedKnex } from './db';
import { Factories } from './factories';

export const quietLogger = {
  info: () => {},
  warn: () => {},
  error: (msg: string, meta?: unknown) => {
    if (process.env.TEST_VERBOSE) console.error(msg, meta);
  },
};

export function testConfig(overrides: Partial<HostConfig> = {}): HostConfig {
  return {
    port: 0,
    databaseUrl: 'test',
    baseUrl: 'https://portal.example.test',
    sessionSecret: 'test-secret',
    sessionIdleMinutes: 60,
    sessionAbsoluteMinutes: 600,
    trustProxy: false,
    timeZone: 'UTC',
    production: false,
    ...overrides,
  };
}

/** A clock tests move forward to cross expiry boundaries. */
export class TestClock {
  offset = 0;
  /** A fixed moment, for tests of an exact millisecond boundary; undefined: the clock runs. */
  frozen: number | undefined;
  now = (): number => this.frozen ?? Date.now() + this.offset;
  advance(ms: number): void {
    if (this.frozen !== undefined) this.frozen += ms;
    else this.offset += ms;
  }
  /** Stops the clock at `ms` until `advance` or `freeze` moves it. */
  freeze(ms: number): void {
    this.frozen = ms;
  }
}

export interface TestPortal {
  portal: Portal;
  app: Portal['app'];
  knex: Knex;
  clock: TestClock;
  f: Factories;
  /** Signs in through the real login form; the agent keeps the cookie and the CSRF token. */
  login(email: string, password?: string): Promise<Client>;
  /** Signs a staff member in through the admin login form (a new staff member when no e-mail is given). */
  staffLogin(email?: string, password?: string): Promise<Client>;
  anonymous(): Client;
  /** Turns the module on or off as the admin's Modules page does. */
  setActive(active: boolean): Promise<void>;
  setSettings(settings: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh portal on an emptied database with the module activated. Module on/off state and
 * settings are read on every request (no cache), so a test's change applies at once.
 */
export async function setupPortal(
  options: { active?: boolean; config?: Partial<HostConfig> } = {},
): Promise<TestPortal> {
  const { knex } = await sharedKnex();
  await emptyDatabase(knex);
  const clock = new TestClock();
  const portal = await createApp({
    knex,
    config: testConfig(options.config),
    logger: quietLogger,
    moduleStateTtlMs: 0,
    now: clock.now,
  });
  if (options.active !== false) {
    await portal.accountUsers.activate();
    await portal.registry.save({ active: true, version: portal.accountUsers.manifest.version });
  }
  const f = new Factories(knex, portal, clock.now);
  const tp: TestPortal = {
    portal,
    app: portal.app,
    knex,
    clock,
    f,
    login: (email, password = Factories.PASSWORD) => Client.login(portal.app, email, password),
    staffLogin: async (email, password) =>
      new Client(portal.app).staffLogin(email ?? (await f.admin()).email, password),
    anonymous: () => new Client(portal.app),
    setActive: async (active) => {
      if (active) await portal.accountUsers.activate();
      await portal.registry.save({ active, version: portal.accountUsers.manifest.version });
    },
    setSettings: (settings) =>
      portal.accountUsers.settings.save({ ...portal.accountUsers.settings.current(), ...settings }),
    close: () => portal.close(),
  };
  return tp;
}

/** The database each app keeps its sessions in, when not the shared test database. */
const sessionDatabases = new WeakMap<Portal['app'], Knex>();
export function rememberSessionDatabase(app: Portal['app'], knex: Knex): void {
  sessionDatabases.set(app, knex);
}

/** Paths served by the module's apps, whose forms carry the module's own CSRF token. */
export const MODULE_PATHS = ['/account/', '/admin/modules/account_users'];
export const isModulePath = (path: string): boolean => MODULE_PATHS.some((p) => path.startsWith(p));

/** The `_csrf` value of the first form on a page posting to a module path (or to a portal path). */
export function formToken(html: string, ofModule: boolean): string | undefined {
  for (const m of html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const token = /name="_csrf" value="([^"]+)"/.exec(m[2]);
    if (token && isModulePath(m[1]) === ofModule) return token[1];
  }
  return undefined;
}

/**
 * A browser-like client: keeps cookies, reads the CSRF tokens from pages, posts forms. The portal
 * and the module each check their own token, so it keeps both and sends the one the path needs.
 */
export class Client {
  readonly agent: ReturnType<typeof request.agent>;
  /** The portal's token (its own forms). */
  csrf = '';
  /** The module's token, read from the module's forms as pages arrive; cleared with a new session. */
  moduleCsrf = '';
  private sessionCookie = '';
  private fetching: Promise<void> | undefined;

  constructor(readonly app: Portal['app']) {
    this.agent = request.agent(app);
  }

  static async login(app: Portal['app'], email: string, password: string): Promise<Client> {
    const client = new Client(app);
    await client.refreshCsrf('/login');
    const res = await client.agent.post('/login').type('form').send({ _csrf: client.csrf, email, password });
    if (res.status !== 303) throw new Error(`login of ${email} failed: ${res.status}`);
    client.lastLoginRedirect = res.headers.location;
    client.moduleCsrf = '';
    await client.refreshCsrf('/no-account');
    return client;
  }

  lastLoginRedirect = '';

  /**
   * Signs a staff member in through the admin login form in this browser (a language picked before
   * stays), then reads the portal's token from the Modules page, as staff land there.
   */
  async staffLogin(email: string, password: string = Factories.PASSWORD): Promise<this> {
    await this.refreshCsrf('/admin/login');
    const res = await this.post('/admin/login', { email, password });
    assert.equal(res.status, 303, `staff login of ${email} answered ${res.status}`);
    await this.refreshCsrf('/admin/modules');
    return this;
  }

  /** Reads the `_csrf` field of a page's portal form (and notes the module's, if it has one). */
  async refreshCsrf(path: string): Promise<string> {
    const res = await this.get(path);
    const token = formToken(res.text, false) ?? /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
    if (token) this.csrf = token;
    return this.csrf;
  }

  /** The token a form posted to `path` carries: the module's for the module's paths. */
  async tokenFor(path: string): Promise<string> {
    if (!isModulePath(path)) return this.csrf;
    // Where a browser would have found the form: the invitation page, the settings page, the person's
    // Invitations page, the chooser.
    const invitation = /^(\/account\/invite\/[^/]+)\/(accept|register)$/.exec(path.split('?')[0]);
    const pages = path.startsWith('/admin/')
      ? ['/admin/modules/account_users/settings']
      : invitation
        ? [invitation[1], '/account/switch']
        : path.startsWith('/account/invitations/')
          ? ['/account/invitations', '/account/switch']
          : ['/account/switch'];
    // One fetch at a time: parallel posts of one session share it, as tabs of one page would.
    this.fetching ??= (async () => {
      for (const page of pages) {
        if (this.moduleCsrf) break;
        await this.get(page);
      }
    })().finally(() => {
      this.fetching = undefined;
    });
    if (!this.moduleCsrf) await this.fetching;
    return this.moduleCsrf || this.csrf;
  }

  /** Notes what a response tells about the session: a new session drops the module's token. */
  private observe(res: Response): void {
    const sid = /portal\.sid=([^;]*)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1];
    if (sid !== undefined && sid !== this.sessionCookie) {
      if (this.sessionCookie) this.moduleCsrf = '';
      this.sessionCookie = sid;
    }
    const token = typeof res.text === 'string' ? formToken(res.text, true) : undefined;
    if (token) this.moduleCsrf = token;
  }

  get(path: string) {
    const req = this.agent.get(path);
    req.on('response', (res: Response) => this.observe(res));
    return req;
  }

  /**
   * Posts a form with the right CSRF token for the path and, as a page rendered now would, the
   * session's current account in `accountId` (unless the fields give their own `_csrf` / `accountId`).
   */
  async post(path: string, fields: Record<string, string | string[]> = {}, headers: Record<string, string> = {}) {
    const token = '_csrf' in fields ? undefined : await this.tokenFor(path);
    const accountId = 'accountId' in fields ? undefined : await this.sessionAccountId();
    const res = await this.agent
      .post(path)
      .set(headers)
      .type('form')
      .send(
        encodeForm({
          ...(token === undefined ? {} : { _csrf: token }),
          ...(accountId ? { accountId } : {}),
          ...fields,
        }),
      );
    this.observe(res);
    return res;
  }

  /** The account this client's session works in now, read from the session store. */
  async sessionAccountId(): Promise<string | undefined> {
    const cookie = (
      this.agent as unknown as { jar: { getCookie(name: string, info: unknown): { value: string } | undefined } }
    ).jar.getCookie('portal.sid', CookieAccessInfo.All);
    const sid = cookie ? /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))?.[1] : undefined;
    if (!sid) return undefined;
    const knex = sessionDatabases.get(this.app) ?? (await sharedKnex()).knex;
    // A database cut by a test answers nothing: the form then goes without, as from a stale page.
    const row = (await knex('sessions')
      .where('sid', sid)
      .first('sess')
      .catch(() => undefined)) as { sess: string | Record<string, unknown> } | undefined;
    const sess = typeof row?.sess === 'string' ? (JSON.parse(row.sess) as Record<string, unknown>) : row?.sess;
    const id = (sess?.accountUsers as { accountId?: number } | undefined)?.accountId;
    return typeof id === 'number' ? String(id) : undefined;
  }
}

/** URL-encodes repeated fields the way a browser sends checkboxes: permissions=a&permissions=b. */
export function encodeForm(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
  }
  return params.toString();
}
