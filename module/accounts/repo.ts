import type { Knex } from 'knex';
import { accountNameAs, isOpenStatus, searchableAccountName, whereOpen } from '../host-schema';
import type { HostSchema } from '../contract';
import { searchWords, startsWithFolded } from '../text-search';
import { accessEnded, MEMBER_COLUMNS, toMember, whereAccessOpen, type Membership } from '../members/repo';
import { TABLES } from '../tables';
import { countUpTo, type ListCount } from '../list-count';
import { byIndex } from '../index-hint';
import { readsBackwards, toPage, type Cursor, type KeysetPage } from '../keyset';
import { preparedQuery } from '../prepared';

const M = TABLES.members;

/** The session's membership plus whether the user could switch to another open account. */
export interface CurrentMembership extends Membership {
  otherAccounts: boolean;
  /** The membership's end date has passed: `accountOpen` is false, as for a removed membership. */
  accessEnded: boolean;
  /** What waits for the person's answer (the account menu's counts), when the query was asked for it. */
  waiting?: Waiting;
}

/** Invitations addressed to the person and offers of ownership made to them, still open. */
export interface Waiting {
  invitations: number;
  offers: number;
}

/**
 * The queries behind the account menu's counts (each selecting one number), which the guard's
 * membership query reads in the same round trip.
 */
export interface WaitingCounts {
  /** Invitations addressed to `email` that can be accepted at `now`. */
  invitations(email: string, now: number): Knex.QueryBuilder;
  /** Hand-over offers open to `userId` at `now`. */
  offers(userId: number, now: number): Knex.QueryBuilder;
}

/** What the guard asks the counts for: the person's address as invitations hold it, and whether offers count. */
export interface WaitingQueries {
  email: string;
  /** False while hand-overs are not offered: no offer can be waiting. */
  offers: boolean;
}

/** The values a run of the guard's query puts in place. */
type CurrentValues = 'accountId' | 'userId' | 'now' | 'email';

/** Queries behind the account a session works in and the Switch Account list. */
export class AccountsRepo {
  /** The guard's query in each of its shapes (without counts, with them, with offers too), compiled once. */
  private readonly currentQueries = new Map<string, ReturnType<typeof preparedQuery<CurrentValues>>>();

  constructor(
    private readonly knex: Knex,
    private readonly schema: HostSchema,
    /** The clock that decides whether access with an end date has ended. */
    private readonly now: () => number = Date.now,
    /** Where the account menu's counts come from; without them `current` cannot be asked for them. */
    private readonly counts?: WaitingCounts,
  ) {}

  private columns(): Array<string | Knex.Raw> {
    const a = this.schema.accounts;
    return [
      ...MEMBER_COLUMNS,
      accountNameAs(this.knex, this.schema, 'a', 'account_name'),
      `a.${a.status} as account_status`,
    ];
  }

  private toMembership(row: Record<string, unknown>): Membership {
    return {
      ...toMember(row),
      accountName: String(row.account_name),
      accountOpen: isOpenStatus(this.schema, row.account_status),
    };
  }

  /** The guard's query with the values of one run (markers when it is being compiled). */
  private currentQuery(v: Record<CurrentValues, never>, waiting: { offers: boolean } | undefined): Knex.QueryBuilder {
    const a = this.schema.accounts;
    const other = this.knex(`${M} as m2`)
      .join(`${a.table} as a2`, `a2.${a.id}`, 'm2.account_id')
      .where('m2.user_id', v.userId)
      .andWhere('m2.account_id', '<>', v.accountId)
      .modify(whereAccessOpen, 'm2', v.now)
      .modify(whereOpen, this.schema, 'a2')
      .select(this.knex.raw('1'));
    const counts = waiting && this.counts;
    return this.knex(`${M} as m`)
      .join(`${a.table} as a`, `a.${a.id}`, 'm.account_id')
      .where('m.account_id', v.accountId)
      .andWhere('m.user_id', v.userId)
      .first([
        ...this.columns(),
        this.knex.raw('exists ? as other_accounts', [other]),
        ...(counts
          ? [
              this.knex.raw('? as invitations_waiting', [counts.invitations(v.email, v.now)]),
              waiting.offers
                ? this.knex.raw('? as offers_waiting', [counts.offers(v.userId, v.now)])
                : this.knex.raw('0 as offers_waiting'),
            ]
          : []),
      ]);
  }

  /**
   * The one query of every guarded request: the membership by its unique (account, user) index,
   * with an EXISTS on the (user, last login) index telling whether Switch Account has anywhere to go.
   * Computing it here keeps the menu right after an invitation adds an account, in every session.
   * With `waiting`, the account menu's counts come back in the same query, so no page pays for them.
   * A membership whose end date has passed comes back with `accessEnded` and is not open: the
   * same row decides it, so an ended membership is refused exactly like a removed one. Its SQL is
   * compiled once per shape; a run only binds the values.
   */
  async current(accountId: number, userId: number, waiting?: WaitingQueries): Promise<CurrentMembership | undefined> {
    const now = this.now();
    const counted = waiting && this.counts ? waiting : undefined;
    const shape = !counted ? 'membership' : counted.offers ? 'counts and offers' : 'counts';
    let query = this.currentQueries.get(shape);
    if (!query) {
      query = preparedQuery(this.knex, ['accountId', 'userId', 'now', 'email'], (v) => this.currentQuery(v, counted));
      this.currentQueries.set(shape, query);
    }
    const [row] = await query({ accountId, userId, now, email: counted?.email ?? '' });
    if (!row) return undefined;
    const found = this.toMembership(row);
    const ended = accessEnded(found, now);
    const membership = {
      ...found,
      accountOpen: found.accountOpen && !ended,
      accessEnded: ended,
      otherAccounts: Boolean(Number(row.other_accounts)),
    };
    if (!counted) return membership;
    return {
      ...membership,
      waiting: { invitations: Number(row.invitations_waiting ?? 0), offers: Number(row.offers_waiting ?? 0) },
    };
  }

  /**
   * Up to `limit` accounts the user can open now, most recently used first (login, the guard, the
   * chooser). The order is the (user_id, last_login_at) index read backwards (its implicit primary
   * key breaks ties), so the scan stops at the first open ones instead of sorting every membership.
   */
  async openAccountIds(userId: number, limit: number): Promise<number[]> {
    const a = this.schema.accounts;
    const rows = await this.knex(`${M} as m`)
      .join(`${a.table} as a`, `a.${a.id}`, 'm.account_id')
      .where('m.user_id', userId)
      .modify(whereAccessOpen, 'm', this.now())
      .modify(whereOpen, this.schema, 'a')
      .orderBy('m.last_login_at', 'desc')
      .orderBy('m.id', 'desc')
      .limit(limit)
      .select<Array<{ account_id: number }>>('m.account_id');
    return rows.map((r) => Number(r.account_id));
  }

  private listQuery(userId: number, search: string, ended: boolean): Knex.QueryBuilder {
    const a = this.schema.accounts;
    const q = this.knex(`${M} as m`).join(`${a.table} as a`, `a.${a.id}`, 'm.account_id').where('m.user_id', userId);
    if (!ended) q.modify(whereAccessOpen, 'm', this.now());
    // The name starts with what was typed, in any case and with or without accents: "blue fi"
    // finds Blue Fish Bakery, "muller" finds MÜLLER GmbH. The optimizer drives from the smaller
    // side: the name's index (then the (account_id, user_id) index per account), or the user's
    // memberships from (user_id, last_login_at) when the prefix matches many accounts.
    const prefix = searchWords(search).join(' ');
    if (prefix) q.andWhere(startsWithFolded(this.knex, searchableAccountName(this.knex, this.schema, 'a'), prefix));
    return q;
  }

  /**
   * The menu's recent accounts: up to `limit` open accounts of the user other than `exceptId`,
   * most recently switched to or signed in to first (never-used ones after them, newest first).
   * The (user_id, last_login_at) index read backwards: the scan stops after `limit` open ones.
   */
  async recent(
    userId: number,
    exceptId: number,
    limit: number,
  ): Promise<Array<{ accountId: number; accountName: string }>> {
    const a = this.schema.accounts;
    const rows = await this.knex(`${M} as m`)
      .join(`${a.table} as a`, `a.${a.id}`, 'm.account_id')
      .where('m.user_id', userId)
      .andWhere('m.account_id', '<>', exceptId)
      .modify(whereAccessOpen, 'm', this.now())
      .modify(whereOpen, this.schema, 'a')
      .orderBy('m.last_login_at', 'desc')
      .orderBy('m.id', 'desc')
      .limit(limit)
      .select<Array<{ account_id: number; account_name: unknown }>>(
        'm.account_id',
        accountNameAs(this.knex, this.schema, 'a', 'account_name'),
      );
    return rows.map((r) => ({ accountId: Number(r.account_id), accountName: String(r.account_name) }));
  }

  /**
   * How many accounts match, up to LIST_COUNT_CAP. Without a search only the members index is
   * counted (no join). Memberships whose access ended are left out (the chooser hides them)
   * unless `ended` asks for them (staff's user page).
   */
  async count(userId: number, search = '', ended = false): Promise<ListCount> {
    const q = search
      ? this.listQuery(userId, search, ended)
      : this.knex(`${M} as m`)
          .where('m.user_id', userId)
          .modify((qb) => (ended ? qb : whereAccessOpen(qb, 'm', this.now())));
    return countUpTo(this.knex, q);
  }

  /**
   * One page of the user's accounts, most recently used first; never-used ones after them, the
   * newest membership first. NULLs sort lowest on SQLite and MySQL alike, so DESC puts them last
   * and ASC (the backwards read of the last page and of Previous) first. Keyset paged on
   * (last_login_at, id), the order of the (user_id, last_login_at) index with its primary key, so
   * every page is one range read of `perPage + 1` rows: no page sorts or skips the memberships.
   */
  async page(
    userId: number,
    search: string,
    cursor: Cursor<RecentKey>,
    perPage: number,
    ended = false,
  ): Promise<KeysetPage<Membership>> {
    const dir = readsBackwards(cursor) ? 'asc' : 'desc';
    // With a search the planner starts from the accounts' name index (few matches, sorted);
    // naming the memberships index there would test every membership of an agency instead.
    const q = this.listQuery(userId, search, ended).from(
      search ? `${M} as m` : byIndex(this.knex, `${M} as m`, 'mod_account_users_members_user_recent'),
    );
    if (cursor.at === 'after' || cursor.at === 'before') {
      const { at, key } = cursor;
      q.andWhere((w) => beyondRecent(w, at, key));
    }
    // After a never-used membership only never-used ones follow: ordered by id alone, the index
    // range is read in order (MariaDB sorts it when also asked to order by the NULL login).
    if (!(cursor.at === 'after' && cursor.key.lastLoginAt === null)) q.orderBy('m.last_login_at', dir);
    const rows = await q
      .orderBy('m.id', dir)
      .limit(perPage + 1)
      .select<Record<string, unknown>[]>(this.columns());
    const page = toPage(cursor, rows, perPage);
    return { ...page, rows: page.rows.map((row) => this.toMembership(row)) };
  }
}

/** A membership's place in the most-recent-first order: its last login (null: never) and its id. */
export interface RecentKey {
  lastLoginAt: number | null;
  id: number;
}

/** The cursor text of a membership: `<last login ms>.<id>`, or `never.<id>` when it was never used. */
export function recentKeyOf(m: { lastLoginAt: number | null; id: number }): string {
  return `${m.lastLoginAt === null ? 'never' : m.lastLoginAt}.${m.id}`;
}

export function parseRecentKey(raw: string): RecentKey | undefined {
  const match = /^(never|0|[1-9][0-9]{0,14})\.([1-9][0-9]{0,9})$/.exec(raw);
  if (!match || Number(match[2]) > 2147483647) return undefined;
  return { lastLoginAt: match[1] === 'never' ? null : Number(match[1]), id: Number(match[2]) };
}

/**
 * The memberships after (later in the list) or before a key, in the order last_login_at DESC with
 * NULLs last, then id DESC: after a used one come the older logins, the same login with lower ids
 * and every never-used one; after a never-used one only never-used ones with lower ids.
 */
function beyondRecent(w: Knex.QueryBuilder, side: 'after' | 'before', key: RecentKey): Knex.QueryBuilder {
  const { lastLoginAt: at, id } = key;
  if (side === 'after') {
    if (at === null) return w.whereNull('m.last_login_at').andWhere('m.id', '<', id);
    return w
      .where('m.last_login_at', '<', at)
      .orWhere((s) => s.where('m.last_login_at', at).andWhere('m.id', '<', id))
      .orWhereNull('m.last_login_at');
  }
  if (at === null)
    return w.whereNotNull('m.last_login_at').orWhere((s) => s.whereNull('m.last_login_at').andWhere('m.id', '>', id));
  return w.where('m.last_login_at', '>', at).orWhere((s) => s.where('m.last_login_at', at).andWhere('m.id', '>', id));
}
