import { text } from '../db-values';
import type { Knex } from 'knex';
import { TABLES } from '../tables';
import type { Actor } from '../context';
import { displayIp } from './ip';
import { byIndex } from '../index-hint';
import { readsBackwards, toPage, type Cursor, type KeysetPage } from '../keyset';

export interface LogEntryInput {
  accountId: number | null;
  action: string;
  targetUserId?: number | null;
  targetEmail?: string | null;
  details?: Record<string, unknown>;
}

export interface LogEntry {
  id: number;
  accountId: number | null;
  actorType: string;
  actorId: number | null;
  actorName: string;
  action: string;
  targetUserId: number | null;
  targetEmail: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  createdAt: number;
}

/** Writes one activity entry and returns its id; called inside the transaction of the change it records. */
export async function writeLog(
  db: Knex | Knex.Transaction,
  actor: Actor,
  entry: LogEntryInput,
  now: number,
): Promise<number> {
  const [id] = await db(TABLES.log).insert({
    account_id: entry.accountId,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_name: actor.name.slice(0, 255),
    action: entry.action,
    target_user_id: entry.targetUserId ?? null,
    target_email: entry.targetEmail ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
    ip: actor.ip ? actor.ip.slice(0, 45) : null,
    created_at: now,
  });
  return Number(id);
}

/** How many entries of these actions an account has had since `since` (counts that must hold across app instances). */
export async function countActionsSince(
  db: Knex | Knex.Transaction,
  accountId: number,
  actions: string[],
  since: number,
): Promise<number> {
  const row = (await db(TABLES.log)
    .where('account_id', accountId)
    .whereIn('action', actions)
    .andWhere('created_at', '>=', since)
    .count({ n: '*' })
    .first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** How many entries of these actions a client-area user wrote since `since`, in any account (on the actor index). */
export async function countUserActionsSince(
  db: Knex | Knex.Transaction,
  userId: number,
  actions: string[],
  since: number,
): Promise<number> {
  const row = (await db(TABLES.log)
    .where({ actor_type: 'user', actor_id: userId })
    .whereIn('action', actions)
    .andWhere('created_at', '>=', since)
    .count({ n: '*' })
    .first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** Whether the user's switch into the account was logged after `since` (on the (target user, id) index). */
export async function recentSwitch(
  db: Knex | Knex.Transaction,
  userId: number,
  accountId: number,
  since: number,
): Promise<boolean> {
  return Boolean(
    await db(TABLES.log)
      .where({ target_user_id: userId, account_id: accountId, action: 'account_switched' })
      .andWhere('created_at', '>', since)
      .first('id'),
  );
}

export interface LogFilter {
  accountId?: number;
  userId?: number;
  action?: string;
  from?: number;
  to?: number;
}

function toEntry(row: Record<string, unknown>): LogEntry {
  let details: Record<string, unknown>;
  try {
    details = row.details ? (JSON.parse(text(row.details)) as Record<string, unknown>) : {};
  } catch {
    details = {};
  }
  return {
    id: Number(row.id),
    accountId: row.account_id === null ? null : Number(row.account_id),
    actorType: String(row.actor_type),
    actorId: row.actor_id === null ? null : Number(row.actor_id),
    actorName: String(row.actor_name),
    action: String(row.action),
    targetUserId: row.target_user_id === null ? null : Number(row.target_user_id),
    targetEmail: (row.target_email as string | null) ?? null,
    details,
    ip: displayIp((row.ip as string | null) ?? null),
    createdAt: Number(row.created_at),
  };
}

/**
 * Newest first, keyset paged on the id: a page after or before an entry is one range read of
 * `perPage + 1` entries on the (account_id, id) index (a person's log: one on each of the target
 * and actor indexes, merged), the last page the same read from the oldest end, so 5,000,000
 * entries cost no more than a hundred.
 */
export async function listLog(
  knex: Knex,
  filter: LogFilter,
  cursor: Cursor<number>,
  perPage: number,
): Promise<KeysetPage<LogEntry>> {
  const dir = readsBackwards(cursor) ? 'asc' : 'desc';
  /** One page plus one row read on `index`, with every filter but the person's. */
  const read = (index: string | undefined, where: (q: Knex.QueryBuilder) => void) => {
    const q = knex(index ? byIndex(knex, TABLES.log, index) : TABLES.log).select('*');
    where(q);
    if (filter.accountId !== undefined) q.where('account_id', filter.accountId);
    if (filter.action) q.where('action', filter.action);
    if (filter.from !== undefined) q.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) q.where('created_at', '<', filter.to);
    // Newest first: "after" an entry are the older ones.
    if (cursor.at === 'after') q.where('id', '<', cursor.key);
    if (cursor.at === 'before') q.where('id', '>', cursor.key);
    return q.orderBy('id', dir).limit(perPage + 1) as Promise<Record<string, unknown>[]>;
  };
  let rows: Record<string, unknown>[];
  const userId = filter.userId;
  if (userId === undefined) {
    rows = await read(filter.accountId !== undefined ? 'mod_account_users_log_account' : undefined, () => {});
  } else {
    // The entries about the person and those by them, each a range read of its own index, merged
    // here: one query with OR made MariaDB merge both indexes whole and sort them (seconds for a
    // person with millions of entries).
    const [about, by] = await Promise.all([
      read('mod_account_users_log_target', (q) => q.where('target_user_id', userId)),
      read('mod_account_users_log_actor', (q) => q.where({ actor_type: 'user', actor_id: userId })),
    ]);
    const merged = new Map([...about, ...by].map((r) => [Number(r.id), r]));
    rows = [...merged.values()]
      .sort((a, b) => (dir === 'asc' ? Number(a.id) - Number(b.id) : Number(b.id) - Number(a.id)))
      .slice(0, perPage + 1);
  }
  const page = toPage(cursor, rows, perPage);
  return { ...page, rows: page.rows.map(toEntry) };
}

/**
 * Deletes up to `batch` log entries written before `before`, oldest first; how many went. Entries
 * are written in time order, so the oldest are at the start of the primary key: the select walks
 * it from there and stops at `batch` rows, and each delete is one short statement by id, so the
 * table is never locked for long.
 */
export async function deleteLogBefore(knex: Knex, before: number, batch: number): Promise<number> {
  const ids = await knex(TABLES.log).where('created_at', '<', before).orderBy('id').limit(batch).pluck('id');
  if (!ids.length) return 0;
  return Number(await knex(TABLES.log).whereIn('id', ids).del());
}
