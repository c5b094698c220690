import type { Knex } from 'knex';
import type { Request } from 'express';
import type { HostContract, HostUser, Logger } from '../module/index';
import type { SignIn } from './auth';
import { generateToken } from './csrf';
import { localeOf } from './layout';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords';
import type { Hooks } from './hook-registry';
import type { ModuleRegistry } from './module-registry';

export interface UserRow {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  locale: string | null;
}

export function toHostUser(row: UserRow): HostUser {
  return {
    id: Number(row.id),
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    locale: row.locale,
  };
}

export const USER_COLUMNS = ['id', 'email', 'first_name', 'last_name', 'locale'];

/** What the portal gives the module: its tables' layout, users, accounts, mail, hooks, settings. */
export function buildHostContract(deps: {
  knex: Knex;
  hooks: Hooks;
  registry: ModuleRegistry;
  mailer: HostContract['mailer'];
  baseUrl: string;
  /** The company name the portal shows (its `brand` string), named in the module's e-mails. */
  brandName: string;
  logger: Logger;
  renderPage: HostContract['renderPage'];
  signIn: SignIn;
  timeZone: string;
  now?: () => number;
}): HostContract {
  const { knex } = deps;
  return {
    knex,
    schema: {
      users: { table: 'users', id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' },
      accounts: { table: 'accounts', id: 'id', name: 'name', status: 'status', openStatuses: ['active'] },
    },
    users: {
      async findById(id) {
        const row = await knex('users').where('id', id).first<UserRow | undefined>(USER_COLUMNS);
        return row && toHostUser(row);
      },
      async findByEmail(email) {
        const row = await knex('users')
          .where('email', email.trim().toLowerCase())
          .first<UserRow | undefined>(USER_COLUMNS);
        return row && toHostUser(row);
      },
      async create(input) {
        const [id] = await knex('users').insert({
          email: input.email.trim().toLowerCase(),
          password_hash: await hashPassword(input.password),
          first_name: input.firstName,
          last_name: input.lastName,
          locale: input.locale ?? null,
          created_at: Date.now(),
        });
        const row = await knex('users').where('id', id).first<UserRow>(USER_COLUMNS);
        return toHostUser(row);
      },
      displayName: (user) => `${user.firstName} ${user.lastName}`.trim() || user.email,
      signIn: (req, user, returnTo) => deps.signIn(req, user, returnTo),
      // The portal's own check, as at sign-in: an unknown id costs as long as a wrong password.
      async verifyPassword(userId, password) {
        const row = await knex('users')
          .where('id', userId)
          .first<{ password_hash: string } | undefined>('password_hash');
        return verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      },
    },
    accounts: {
      async findByIds(ids) {
        if (ids.length === 0) return [];
        const rows = await knex('accounts')
          .whereIn('id', ids)
          .select<Array<{ id: number; name: string; status: string }>>('id', 'name', 'status');
        return rows.map((r) => ({ id: Number(r.id), name: r.name, status: r.status }));
      },
      async primaryUsers() {
        const rows = await knex('accounts').select<Array<{ id: number; primary_user_id: number }>>(
          'id',
          'primary_user_id',
        );
        return rows.map((r) => ({ accountId: Number(r.id), userId: Number(r.primary_user_id) }));
      },
      async primaryUserOf(accountId) {
        const row = await knex('accounts')
          .where('id', accountId)
          .first<{ primary_user_id: number } | undefined>('primary_user_id');
        return row ? Number(row.primary_user_id) : undefined;
      },
      async primaryAccountsOf(userId) {
        const rows = await knex('accounts').where('primary_user_id', userId).select<Array<{ id: number }>>('id');
        return rows.map((r) => Number(r.id));
      },
      // The second line on Switch Account: the account's first active domain, else its primary
      // user's name. Two indexed queries for a page of ids.
      async describe(ids) {
        const lines = new Map<number, string>();
        if (ids.length === 0) return lines;
        // One row per account (its first active domain), however many domains an agency's client has.
        const first = knex('domains')
          .whereIn('account_id', ids)
          .andWhere('status', 'Active')
          .groupBy('account_id')
          .min('id');
        const domains = await knex('domains')
          .whereIn('id', first)
          .select<Array<{ account_id: number; name: string }>>('account_id', 'name');
        for (const d of domains) lines.set(Number(d.account_id), d.name);
        const rest = ids.filter((id) => !lines.has(id));
        if (rest.length) {
          const owners = await knex('accounts as a')
            .join('users as u', 'u.id', 'a.primary_user_id')
            .whereIn('a.id', rest)
            .select<Array<{ id: number; first_name: string; last_name: string }>>(
              'a.id',
              'u.first_name',
              'u.last_name',
            );
          for (const o of owners) lines.set(Number(o.id), `${o.first_name} ${o.last_name}`.trim());
        }
        return lines;
      },
      // The items an owner can narrow a member's access to: the account's services (product and
      // domain) and domains, in the order the portal's own pages list them.
      async resources(accountId, kind) {
        if (kind === 'products') {
          const rows = await knex('services')
            .where('account_id', accountId)
            .orderBy('id')
            .select<Array<{ id: number; product: string; domain: string | null }>>('id', 'product', 'domain');
          return rows.map((r) => ({ id: Number(r.id), label: r.domain ? `${r.product} (${r.domain})` : r.product }));
        }
        const rows = await knex('domains')
          .where('account_id', accountId)
          .orderBy('name')
          .select<Array<{ id: number; name: string }>>('id', 'name');
        return rows.map((r) => ({ id: Number(r.id), label: r.name }));
      },
    },
    mailer: deps.mailer,
    hooks: deps.hooks,
    isActive: () => deps.registry.current().active,
    baseUrl: deps.baseUrl,
    brand: { name: deps.brandName },
    logger: deps.logger,
    admins: {
      current: (req: Request) => {
        const admin = req.session?.admin;
        return admin ? { id: admin.id, name: admin.name } : undefined;
      },
    },
    urls: {
      login: '/login',
      home: '/',
      // The portal signs out with a POST carrying its own CSRF token.
      signOut: { href: '/logout', method: 'POST', fields: (req) => ({ _csrf: generateToken(req) }) },
    },
    locale: localeOf,
    timeZone: () => deps.timeZone,
    renderPage: deps.renderPage,
    now: deps.now,
  };
}
