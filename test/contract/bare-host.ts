import express, { type Request } from 'express';
import session from 'express-session';
import request from 'supertest';
import type { Knex } from 'knex';
import {
  createModule,
  type AccountUsersModule,
  type HookHandler,
  type HookRegistry,
  type HostContract,
  type HostUser,
  type MailMessage,
  type PageOptions,
  type UserLoginPayload,
} from '../../module/index';
import { TABLES } from '../../module/tables';
import { emptyDatabase, sharedKnex } from '../helpers/db';
import { quietLogger } from '../helpers/portal';

/** The one password every person of the bare host has (it checks a hand-over's password). */
export const BARE_PASSWORD = 'bare-password';

/**
 * A portal of its own, as a hosting company would write it: express-session, its own sign-in, no
 * CSRF middleware, user rows with `first_name`, and a contract written by hand over the shared
 * test database's `users` and `accounts` tables. Nothing of the reference portal is used.
 */

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    adminId?: number;
  }
}

/** The smallest registry with the contract's semantics: handlers in priority order, errors swallowed. */
export class TinyHooks implements HookRegistry {
  private readonly handlers = new Map<string, Array<{ fn: HookHandler; priority: number }>>();
  on(name: string, fn: HookHandler, priority = 10): void {
    const list = [...(this.handlers.get(name) ?? []), { fn, priority }];
    this.handlers.set(
      name,
      list.sort((a, b) => a.priority - b.priority),
    );
  }
  off(name: string, fn: HookHandler): void {
    this.handlers.set(
      name,
      (this.handlers.get(name) ?? []).filter((h) => h.fn !== fn),
    );
  }
  async emit(name: string, payload: unknown): Promise<void> {
    for (const h of this.handlers.get(name) ?? []) {
      try {
        await h.fn(payload);
      } catch {
        // A listener's failure never breaks a host page.
      }
    }
  }
}

interface UserRow {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  locale: string | null;
}

interface AccountRow {
  id: number;
  name: string;
  status: string;
  primary_user_id: number;
}

const toUser = (row: UserRow | undefined): HostUser | undefined =>
  row && {
    id: Number(row.id),
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    locale: row.locale,
  };

export interface BareHostOptions {
  /** Record the module's pages through the host's renderPage (default); false: the module's own layout. */
  renderPage?: boolean;
  isActive?: HostContract['isActive'];
  locale?: HostContract['locale'];
  timeZone?: HostContract['timeZone'];
  settingsStore?: HostContract['settingsStore'];
  accountName?: HostContract['schema']['accounts']['name'];
  openStatuses?: string[];
  now?: () => number;
  /** Run the module's activate step (default true). */
  activate?: boolean;
  brand?: HostContract['brand'];
  displayName?: HostContract['users']['displayName'];
}

export interface BareHost {
  app: express.Express;
  module: AccountUsersModule;
  contract: HostContract;
  knex: Knex;
  hooks: TinyHooks;
  /** Every call of the host's renderPage, with the path it answered. */
  pages: Array<PageOptions & { path: string }>;
  mails: MailMessage[];
  user(first: string, last: string, email?: string): Promise<{ id: number; email: string }>;
  /** An account with its primary user; activation (or a member row) makes them owner. */
  account(name: string, primaryUserId: number, extra?: Record<string, unknown>): Promise<number>;
  /** A user of the account (not its owner), with All Permissions or the given keys, invited by `invitedBy`. */
  member(accountId: number, userId: number, access: 'all' | string[], invitedBy: number): Promise<void>;
  admin(): Promise<number>;
  /** A browser signed in through the host's own sign-in (its UserLogin hook included). */
  signIn(userId: number): Promise<BareClient>;
  signInAdmin(adminId: number): Promise<BareClient>;
  close(): void;
}

let seq = 0;

export async function bareHost(options: BareHostOptions = {}): Promise<BareHost> {
  const { knex } = await sharedKnex();
  await emptyDatabase(knex);
  const hooks = new TinyHooks();
  const pages: BareHost['pages'] = [];
  const mails: MailMessage[] = [];

  const signIn = (req: Request, user: HostUser, returnTo?: string): Promise<string | undefined> =>
    new Promise((resolve, reject) =>
      req.session.regenerate((err?: Error) => {
        if (err) return reject(err);
        req.session.userId = user.id;
        const payload: UserLoginPayload = { user, req, returnTo };
        hooks.emit('UserLogin', payload).then(() => resolve(payload.redirect), reject);
      }),
    );

  const contract: HostContract = {
    knex,
    schema: {
      users: { table: 'users', id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' },
      accounts: {
        table: 'accounts',
        id: 'id',
        name: options.accountName ?? 'name',
        status: 'status',
        openStatuses: options.openStatuses ?? ['active'],
      },
    },
    users: {
      findById: async (id) => toUser(await knex<UserRow>('users').where('id', id).first()),
      findByEmail: async (email) =>
        toUser(await knex<UserRow>('users').where('email', email.trim().toLowerCase()).first()),
      async create(input) {
        const [id] = await knex('users').insert({
          email: input.email,
          password_hash: 'not-used',
          first_name: input.firstName,
          last_name: input.lastName,
          locale: input.locale ?? null,
          created_at: Date.now(),
        });
        return (await contract.users.findById(Number(id)))!;
      },
      displayName: options.displayName ?? ((u) => `${u.firstName} ${u.lastName}`.trim() || u.email),
      // The host's user objects say first_name; the module gets its own shape.
      fromRequest: (req) => toUser(req.user as UserRow | undefined),
      signIn,
      verifyPassword: (_id, password) => Promise.resolve(password === BARE_PASSWORD),
    },
    accounts: {
      async findByIds(ids) {
        const rows = await knex<AccountRow>('accounts').whereIn('id', ids).select('id', 'name', 'status');
        return rows.map((r) => ({ id: Number(r.id), name: r.name, status: r.status }));
      },
      async primaryUsers() {
        const rows = await knex<AccountRow>('accounts').select('id', 'primary_user_id');
        return rows.map((r) => ({ accountId: Number(r.id), userId: Number(r.primary_user_id) }));
      },
      async primaryUserOf(accountId) {
        const row = await knex<AccountRow>('accounts').where('id', accountId).first('primary_user_id');
        return row ? Number(row.primary_user_id) : undefined;
      },
      async primaryAccountsOf(userId) {
        return (await knex<AccountRow>('accounts').where('primary_user_id', userId).select('id')).map((r) =>
          Number(r.id),
        );
      },
    },
    mailer: {
      send: (m) => {
        mails.push(m);
        return Promise.resolve();
      },
    },
    hooks,
    settingsStore: options.settingsStore,
    isActive: options.isActive ?? (() => true),
    baseUrl: 'https://bare.example.test',
    brand: options.brand,
    logger: quietLogger,
    admins: { current: (req) => (req.session?.adminId ? { id: req.session.adminId, name: 'Staff' } : undefined) },
    urls: { login: '/sign-in', home: '/', signOut: { href: '/sign-out', method: 'GET' } },
    locale: options.locale,
    timeZone: options.timeZone,
    renderPage:
      options.renderPage === false
        ? undefined
        : (req, res, page) => {
            pages.push({ ...page, path: req.originalUrl });
            const messages = page.messages.map((m) => `<p class="host-message ${m.type}">${m.text}</p>`).join('');
            res
              .status(page.status ?? 200)
              .send(`<!doctype html><title>${page.title}</title><main>${messages}${page.body}</main>`);
          },
    now: options.now,
  };

  const module = await createModule(contract, { settingsTtlMs: 0 });
  if (options.activate !== false) await module.activate();

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'bare-host', resave: false, saveUninitialized: false }));
  app.use((req, _res, next) => {
    const id = req.session.userId;
    if (!id) return next();
    knex<UserRow>('users')
      .where('id', id)
      .first()
      .then((row) => {
        req.user = row;
        next();
      }, next);
  });
  // The host's own sign-in (a test shortcut for its login form): a new session, then UserLogin.
  app.post('/sign-in', (req, res, next) => {
    const body = req.body as { userId: string; returnTo?: string };
    contract.users
      .findById(Number(body.userId))
      .then(async (user) => {
        if (!user) return res.sendStatus(401);
        const to = await signIn(req, user, body.returnTo);
        req.session.save(() => res.redirect(303, to ?? '/'));
      })
      .catch(next);
  });
  app.post('/admin-sign-in', (req, res) => {
    req.session.adminId = Number((req.body as { adminId: string }).adminId);
    req.session.save(() => res.redirect(303, '/'));
  });
  app.use('/account', module.client);
  app.use('/admin/account-users', module.admin);
  // Host pages behind the module's guard; they show the module's messages in the host's own way.
  app.get('/', module.requirePermission(null), (req, res) => {
    res.send(
      `host home ${module
        .messagesOf(req)
        .map((m) => `[${m.type}] ${m.text}`)
        .join(' ')}`,
    );
  });
  app.get('/invoices', module.requirePermission('invoices'), (_req, res) => res.send('host invoices'));
  app.use((_req, res) => res.status(404).send('host not found'));
  // The host's own error page: what the module passes on is answered here, in the host's words.
  app.use(
    (err: { status?: number; message?: string }, _req: Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).send(`host error: ${err.message ?? ''}`);
    },
  );

  return {
    app,
    module,
    contract,
    knex,
    hooks,
    pages,
    mails,
    async user(first, last, email) {
      seq += 1;
      const address = email ?? `bare${seq}-${Date.now()}@example.test`;
      const [id] = await knex('users').insert({
        email: address,
        password_hash: 'not-used',
        first_name: first,
        last_name: last,
        locale: null,
        created_at: Date.now(),
      });
      return { id: Number(id), email: address };
    },
    async account(name, primaryUserId, extra = {}) {
      seq += 1;
      const [id] = await knex('accounts').insert({
        name,
        email: `billing${seq}@example.test`,
        status: 'active',
        primary_user_id: primaryUserId,
        created_at: Date.now(),
        ...extra,
      });
      return Number(id);
    },
    async member(accountId, userId, access, invitedBy) {
      const now = Date.now();
      await knex(TABLES.members).insert({
        account_id: accountId,
        user_id: userId,
        is_owner: null,
        all_permissions: access === 'all',
        permissions: JSON.stringify(access === 'all' ? [] : access),
        invited_by: invitedBy,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      });
    },
    async admin() {
      seq += 1;
      const [id] = await knex('admins').insert({
        email: `staff${seq}@example.test`,
        password_hash: 'not-used',
        name: 'Staff',
      });
      return Number(id);
    },
    async signIn(userId) {
      const client = new BareClient(app);
      const res = await client.agent
        .post('/sign-in')
        .type('form')
        .send({ userId: String(userId) });
      if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
      return client;
    },
    async signInAdmin(adminId) {
      const client = new BareClient(app);
      await client.agent
        .post('/admin-sign-in')
        .type('form')
        .send({ adminId: String(adminId) });
      return client;
    },
    close: () => module.dispose(),
  };
}

/**
 * A browser on the bare host: keeps the cookie, the module's token and the account the last page's
 * forms were shown for (forms are bound to it), from the last page with a form.
 */
export class BareClient {
  readonly agent: ReturnType<typeof request.agent>;
  token = '';
  accountId = '';
  constructor(app: express.Express) {
    this.agent = request.agent(app);
  }

  async get(path: string) {
    const res = await this.agent.get(path);
    const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
    if (token) this.token = token;
    const accountId = /name="accountId" value="([^"]+)"/.exec(res.text)?.[1];
    if (accountId) this.accountId = accountId;
    return res;
  }

  /** Posts a form with the module's token (from the page `from`, read first when no token is known). */
  async post(path: string, fields: Record<string, string | string[]>, from?: string) {
    if (from) await this.get(from);
    return this.agent
      .post(path)
      .type('form')
      .send(encode({ _csrf: this.token, ...(this.accountId ? { accountId: this.accountId } : {}), ...fields }));
  }

  /** Posts a form as a forged cross-site request would: no token at all. */
  postWithoutToken(path: string, fields: Record<string, string | string[]> = {}) {
    return this.agent.post(path).type('form').send(encode(fields));
  }
}

function encode(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
  return params.toString();
}
