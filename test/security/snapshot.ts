import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { isMysql } from '../../host/db';

/** Tables whose rows change on every request by design (the rate limiter). */
const VOLATILE = new Set(['rate_limits']);

/**
 * The session store changes on every request (expiry, CSRF token, flash messages); what an attack
 * must not change is who each session is signed in as and as which staff member, and it must never
 * put a session into an account. Anonymous sessions (a visitor's first page) carry none of that
 * and are left out. A session may leave its account (the guard does so when access ended), so the
 * accounts are compared apart, under SESSION_ACCOUNTS, where only an entry that appears counts.
 */
const SESSION_ACCOUNTS = 'sessions: the account each session works in';

function sessionIdentity(row: Record<string, unknown>): Record<string, unknown> | undefined {
  let sess: Record<string, unknown>;
  try {
    sess = (typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) as Record<string, unknown>;
  } catch {
    return { sid: row.sid, unreadable: String(row.sess) };
  }
  const passport = sess.passport as { user?: unknown } | undefined;
  const accountUsers = sess.accountUsers as { accountId?: unknown } | undefined;
  const identity = {
    user: passport?.user ?? null,
    admin: sess.admin ?? null,
    startedAt: sess.startedAt ?? null,
    accountId: accountUsers?.accountId ?? null,
  };
  if (identity.user === null && identity.admin === null) return undefined;
  return { sid: row.sid, ...identity };
}

export type Snapshot = Map<string, string[]>;

/** Every table of the database (host and module, migration history included), minus the rate limiter. */
export async function tablesOf(knex: Knex): Promise<string[]> {
  let names: string[];
  if (isMysql(knex)) {
    const [rows] = (await knex.raw('SHOW TABLES')) as [Array<Record<string, string>>];
    names = rows.map((row) => Object.values(row)[0]);
  } else {
    const rows = await knex<{ type: string; name: string }>('sqlite_master')
      .where('type', 'table')
      .andWhereNot('name', 'like', 'sqlite_%')
      .select('name');
    names = rows.map((row) => row.name);
  }
  return names.filter((name) => !VOLATILE.has(name)).sort();
}

/** All rows of all tables, each row as canonical JSON, sorted: two snapshots compare as plain values. */
export async function snapshot(knex: Knex): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const table of await tablesOf(knex)) {
    const rows = (await knex(table).select('*')) as Array<Record<string, unknown>>;
    if (table === 'sessions') {
      const sessions = rows.map(sessionIdentity).filter((row): row is Record<string, unknown> => row !== undefined);
      // Without the account, which SESSION_ACCOUNTS records on its own.
      const identities = sessions.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'accountId')),
      );
      result.set(table, identities.map(canonical).sort());
      result.set(
        SESSION_ACCOUNTS,
        sessions
          .filter((row) => row.accountId !== null)
          .map((row) => `${String(row.sid)} in account ${String(row.accountId)}`)
          .sort(),
      );
    } else {
      result.set(table, rows.map(canonical).sort());
    }
  }
  return result;
}

function canonical(row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row).sort()) {
    const v = row[key];
    out[key] = Buffer.isBuffer(v)
      ? v.toString('hex')
      : v instanceof Date
        ? v.getTime()
        : typeof v === 'bigint'
          ? String(v)
          : v;
  }
  return JSON.stringify(out);
}

export interface Difference {
  table: string;
  added: string[];
  removed: string[];
}

export function diff(before: Snapshot, after: Snapshot): Difference[] {
  const out: Difference[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = new Set(before.get(table) ?? []);
    const b = new Set(after.get(table) ?? []);
    // A session leaving its account is the guard at work; entering one is a change.
    const removed = table === SESSION_ACCOUNTS ? [] : [...a].filter((row) => !b.has(row));
    const added = [...b].filter((row) => !a.has(row));
    if (removed.length || added.length) out.push({ table, added, removed });
  }
  return out;
}

/** Rows changed across the whole run: the figure the report gives (expected to stay 0). */
export const tally = { cases: 0, rowsChanged: 0 };

/** Asserts nothing in the database changed since `before`; counts the rows that did. */
export async function assertUnchanged(knex: Knex, before: Snapshot, what = 'the request'): Promise<void> {
  const changes = diff(before, await snapshot(knex));
  tally.rowsChanged += changes.reduce((n, c) => n + Math.max(c.added.length, c.removed.length), 0);
  assert.deepEqual(changes, [], `${what} changed the database`);
}

/** Runs `attack` and asserts the database is exactly as before it (the refusal is asserted inside). */
export async function unchangedBy(knex: Knex, attack: () => Promise<void>, what?: string): Promise<void> {
  tally.cases += 1;
  const before = await snapshot(knex);
  await attack();
  await assertUnchanged(knex, before, what);
}
