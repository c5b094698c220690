import type { Knex } from 'knex';
import { accountNameAs, isOpenStatus, whereOpen } from '../host-schema';
import { TABLES } from '../tables';
import type { HostSchema } from '../contract';
import { countUpTo, type ListCount } from '../list-count';
import { byIndex } from '../index-hint';
import { readsBackwards, toPage, type Cursor, type KeysetPage } from '../keyset';
import { parseStoredPermissions, storedKeys } from '../permissions';
import { eachWordStartsOneOf } from '../text-search';
import { parseStoredScopes, storeScopes, type ResourceScopes } from '../scopes';

export interface Member {
  id: number;
  accountId: number;
  userId: number;
  isOwner: boolean;
  allPermissions: boolean;
  permissions: string[];
  /** The services and domains the member's access is narrowed to; a kind left out is every item. */
  scopes: ResourceScopes;
  invitedBy: number | null;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
  /** The first moment the membership no longer opens the account; null: no end date. */
  accessUntil: number | null;
}

/** A membership together with the account it opens (one indexed query on every guarded request). */
export interface Membership extends Member {
  accountName: string;
  accountOpen: boolean;
}

export interface MemberWithUser extends Member {
  email: string;
  firstName: string;
  lastName: string;
}

/** The membership columns `toMember` reads, from the members table aliased as `m`: the one list of them. */
export const MEMBER_COLUMNS = [
  'id',
  'account_id',
  'user_id',
  'is_owner',
  'all_permissions',
  'permissions',
  'scopes',
  'invited_by',
  'created_at',
  'updated_at',
  'last_login_at',
  'access_until',
].map((c) => `m.${c}`);

/** Whether a membership's access has ended at `now` (the end moment itself is already out). */
export function accessEnded(member: { accessUntil: number | null }, now: number): boolean {
  return member.accessUntil !== null && member.accessUntil <= now;
}

/** Restricts a query to memberships (`alias`) whose access has not ended at `now`; for `.modify`. */
export function whereAccessOpen(qb: Knex.QueryBuilder, alias: string, now: number): Knex.QueryBuilder {
  return qb.where((w) => w.whereNull(`${alias}.access_until`).orWhere(`${alias}.access_until`, '>', now));
}

export function toMember(row: Record<string, unknown>): Member {
  const isOwner = Boolean(row.is_owner);
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    userId: Number(row.user_id),
    isOwner,
    // The owner always holds every permission, whatever the row says.
    allPermissions: isOwner || Boolean(row.all_permissions),
    permissions: parseStoredPermissions(row.permissions),
    scopes: isOwner ? {} : parseStoredScopes(row.scopes),
    invitedBy: row.invited_by === null || row.invited_by === undefined ? null : Number(row.invited_by),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastLoginAt: row.last_login_at === null || row.last_login_at === undefined ? null : Number(row.last_login_at),
    accessUntil:
      isOwner || row.access_until === null || row.access_until === undefined ? null : Number(row.access_until),
  };
}

const M = TABLES.members;

export class MembersRepo {
  constructor(
    private readonly knex: Knex,
    private readonly schema: HostSchema,
  ) {}

  /** The memberships of one account (`m`) with their people (`u`, the host's users table). */
  private withUsers(db: Knex | Knex.Transaction, accountId: number) {
    const u = this.schema.users;
    return db(`${M} as m`).join(`${u.table} as u`, `u.${u.id}`, 'm.user_id').where('m.account_id', accountId);
  }

  async membership(
    accountId: number,
    userId: number,
    db: Knex | Knex.Transaction = this.knex,
  ): Promise<Membership | undefined> {
    const a = this.schema.accounts;
    const row = await db(`${M} as m`)
      .join(`${a.table} as a`, `a.${a.id}`, 'm.account_id')
      .where('m.account_id', accountId)
      .andWhere('m.user_id', userId)
      .first<Record<string, unknown> | undefined>([
        ...MEMBER_COLUMNS,
        accountNameAs(this.knex, this.schema, 'a', 'account_name'),
        `a.${a.status} as account_status`,
      ]);
    if (!row) return undefined;
    return {
      ...toMember(row),
      accountName: String(row.account_name),
      accountOpen: isOpenStatus(this.schema, row.account_status),
    };
  }

  /**
   * One membership; with `lock` (in a transaction) its row stays locked until the transaction
   * ends, as with `lockMember`.
   */
  async find(
    accountId: number,
    userId: number,
    db: Knex | Knex.Transaction = this.knex,
    lock = false,
  ): Promise<Member | undefined> {
    const q = db(M).where({ account_id: accountId, user_id: userId });
    const row = (await (lock ? q.forUpdate() : q).first()) as Record<string, unknown> | undefined;
    return row ? toMember(row) : undefined;
  }

  private membersQuery(accountId: number, search: string): Knex.QueryBuilder {
    const u = this.schema.users;
    // Every word must start the first name, last name or e-mail: "ann smi" finds Ann Smith. The
    // optimizer drives from whichever side is smaller: the users' name and e-mail indexes (then the
    // (account_id, user_id) index per match), or the account's members when the words match many.
    const q = this.withUsers(this.knex, accountId);
    eachWordStartsOneOf(this.knex, q, search, [`u.${u.email}`, `u.${u.firstName}`, `u.${u.lastName}`]);
    return q;
  }

  async countMembers(accountId: number, search = '', db: Knex | Knex.Transaction = this.knex): Promise<number> {
    const q = search ? this.membersQuery(accountId, search) : db(`${M} as m`).where('m.account_id', accountId);
    const row = (await q.count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** The size User Management shows, up to LIST_COUNT_CAP; limits that need every member use countMembers. */
  async countListed(accountId: number, search: string): Promise<ListCount> {
    const q = search ? this.membersQuery(accountId, search) : this.knex(`${M} as m`).where('m.account_id', accountId);
    return countUpTo(this.knex, q);
  }

  /**
   * One page of an account's users: the owner first (it counts as the first row), then everyone
   * else in the order they were added, by the (account_id, id) index without a sort. Keyset paged
   * on the membership id: a page after or before a row is one index range read of `perPage + 1`
   * rows from that row, the last page the same read from the index's end, so no page skips rows.
   */
  async members(
    accountId: number,
    search: string,
    cursor: Cursor<number>,
    perPage: number,
  ): Promise<KeysetPage<MemberWithUser>> {
    const u = this.schema.users;
    const columns = [
      ...MEMBER_COLUMNS,
      `u.${u.email} as email`,
      `u.${u.firstName} as first_name`,
      `u.${u.lastName} as last_name`,
    ];
    const backwards = readsBackwards(cursor);
    // Without a search the page is a range of the (account_id, id) index, named so MariaDB reads no
    // more. With one, the planner starts from the users' prefix indexes and sorts the few matches:
    // naming the members index there would test every member of a 50,000-user account instead.
    const others = this.membersQuery(accountId, search)
      .from(search ? `${M} as m` : byIndex(this.knex, `${M} as m`, 'mod_account_users_members_account_added'))
      .whereNull('m.is_owner');
    if (cursor.at === 'after') others.andWhere('m.id', '>', cursor.key);
    if (cursor.at === 'before') others.andWhere('m.id', '<', cursor.key);
    const fetched = await others
      .orderBy('m.id', backwards ? 'desc' : 'asc')
      .limit(perPage + 1)
      .select<Record<string, unknown>[]>(columns);
    // The owner is the list's first row: on the first page, and on a page read backwards that reaches the start.
    const ownerNeeded = cursor.at === 'first' || (backwards && fetched.length <= perPage);
    const owner = ownerNeeded
      ? await this.membersQuery(accountId, search)
          .andWhere('m.is_owner', true)
          .first<Record<string, unknown> | undefined>(columns)
      : undefined;
    const list = !owner ? fetched : backwards ? [...fetched, owner] : [owner, ...fetched];
    const page = toPage(cursor, list, perPage);
    return {
      ...page,
      rows: page.rows.map((row) => ({
        ...toMember(row),
        email: String(row.email),
        firstName: String(row.first_name),
        lastName: String(row.last_name),
      })),
    };
  }

  async owner(accountId: number, db: Knex | Knex.Transaction = this.knex): Promise<MemberWithUser | undefined> {
    const u = this.schema.users;
    const row = await this.withUsers(db, accountId)
      .andWhere('m.is_owner', true)
      .first<Record<string, unknown> | undefined>([
        ...MEMBER_COLUMNS,
        `u.${u.email} as email`,
        `u.${u.firstName} as first_name`,
        `u.${u.lastName} as last_name`,
      ]);
    return row
      ? {
          ...toMember(row),
          email: String(row.email),
          firstName: String(row.first_name),
          lastName: String(row.last_name),
        }
      : undefined;
  }

  /** The set the account's owner held as a user before becoming owner (raw, as stored), if one was kept. */
  async ownerBeforeOwnerPermissions(accountId: number, db: Knex | Knex.Transaction = this.knex): Promise<unknown> {
    const row = await db(M)
      .where({ account_id: accountId, is_owner: true })
      .first<{ before_owner_permissions: unknown } | undefined>('before_owner_permissions');
    return row?.before_owner_permissions ?? null;
  }

  async insert(
    db: Knex | Knex.Transaction,
    input: Pick<Member, 'accountId' | 'userId' | 'isOwner' | 'allPermissions' | 'permissions' | 'invitedBy'> & {
      scopes?: ResourceScopes;
      now: number;
      accessUntil?: number | null;
      /** The person enters the account as it is added (an accepted invitation): their first sign-in to it. */
      lastLoginAt?: number | null;
    },
  ): Promise<void> {
    await db(M).insert({
      account_id: input.accountId,
      user_id: input.userId,
      is_owner: input.isOwner ? true : null,
      all_permissions: input.isOwner || input.allPermissions,
      permissions: JSON.stringify(storedKeys(input.allPermissions, input.permissions)),
      scopes: input.isOwner || input.allPermissions ? null : storeScopes(input.scopes ?? {}),
      invited_by: input.invitedBy,
      created_at: input.now,
      updated_at: input.now,
      last_login_at: input.lastLoginAt ?? null,
      access_until: input.isOwner ? null : (input.accessUntil ?? null),
    });
  }

  async touchLastLogin(
    accountId: number,
    userId: number,
    now: number,
    db: Knex | Knex.Transaction = this.knex,
  ): Promise<void> {
    await db(M).where({ account_id: accountId, user_id: userId }).update({ last_login_at: now });
  }

  /**
   * Locks the account's owner row until the transaction ends: changes to one account's users
   * (ownership moves, grants, invitations) queue here. A write, not a locking read: on MariaDB
   * Galera a `SELECT ... FOR UPDATE` holds on its own node only, while a write to the row is
   * certified across the cluster, so of two such changes on two nodes one fails as a deadlock
   * and is tried again (`retryOnDeadlock`). Returns the owner row, if any.
   */
  async lockOwner(
    db: Knex.Transaction,
    accountId: number,
  ): Promise<{ id: number; userId: number; beforeOwnerPermissions: unknown } | undefined> {
    await db(M).where({ account_id: accountId, is_owner: true }).increment('lock_version', 1);
    const row = await db(M)
      .where({ account_id: accountId, is_owner: true })
      .forUpdate()
      .first<{ id: number; user_id: number; before_owner_permissions: unknown } | undefined>(
        'id',
        'user_id',
        'before_owner_permissions',
      );
    return row
      ? { id: Number(row.id), userId: Number(row.user_id), beforeOwnerPermissions: row.before_owner_permissions }
      : undefined;
  }

  /** Locks one membership row until the transaction ends, so changes of one member queue. */
  async lockMember(db: Knex.Transaction, accountId: number, userId: number): Promise<void> {
    await db(M).where({ account_id: accountId, user_id: userId }).forUpdate().first('id');
  }

  async hasOwner(accountId: number, db: Knex | Knex.Transaction = this.knex): Promise<boolean> {
    return Boolean(await db(M).where({ account_id: accountId, is_owner: true }).first('id'));
  }

  /** The accounts that have an owner: all of them, or those among `accountIds`. */
  async accountsWithOwner(accountIds?: number[]): Promise<Set<number>> {
    const q = this.knex(M);
    if (accountIds) q.whereIn('account_id', accountIds);
    const rows = await q.andWhere('is_owner', true).select<Array<{ account_id: number }>>('account_id');
    return new Set(rows.map((r) => Number(r.account_id)));
  }

  async updateAccess(
    db: Knex | Knex.Transaction,
    id: number,
    all: boolean,
    keys: string[],
    scopes: ResourceScopes,
    now: number,
    accessUntil?: { value: number | null; changed: boolean },
  ): Promise<void> {
    await db(M)
      .where({ id })
      .update({
        all_permissions: all,
        permissions: JSON.stringify(storedKeys(all, keys)),
        scopes: all ? null : storeScopes(scopes),
        updated_at: now,
        // A new end date gets its own reminder and, once reached, its own log entry.
        ...(accessUntil?.changed
          ? { access_until: accessUntil.value, ending_notice_sent_at: null, expired_logged_at: null }
          : {}),
      });
  }

  /**
   * Marks an ended membership as logged; true for the one request (of any app instance) whose
   * conditional update took it, which then writes the `access_expired` entry.
   */
  async claimExpiredLog(db: Knex | Knex.Transaction, id: number, accessUntil: number, now: number): Promise<boolean> {
    const n = await db(M)
      .where({ id, access_until: accessUntil })
      .whereNull('expired_logged_at')
      .andWhere('access_until', '<=', now)
      .update({ expired_logged_at: now });
    return Number(n) === 1;
  }

  /** Memberships whose access ends after `now` and by `by`, not yet reminded (the reminder's periodic pass). */
  async endingBetween(now: number, by: number, limit: number): Promise<Member[]> {
    const rows = await this.knex(`${M} as m`)
      .where('m.access_until', '>', now)
      .andWhere('m.access_until', '<=', by)
      .whereNull('m.ending_notice_sent_at')
      .whereNull('m.is_owner')
      .orderBy('m.access_until')
      .limit(limit)
      .select<Record<string, unknown>[]>(MEMBER_COLUMNS);
    return rows.map(toMember);
  }

  /** Marks the reminder as sent; true for the one pass (of any app instance) that took it. */
  async claimEndingNotice(id: number, accessUntil: number, now: number): Promise<boolean> {
    const n = await this.knex(M)
      .where({ id, access_until: accessUntil })
      .whereNull('ending_notice_sent_at')
      .update({ ending_notice_sent_at: now });
    return Number(n) === 1;
  }

  /** Memberships that ended and were not logged yet (the periodic pass logs them; sign-in one person's). */
  async endedUnlogged(now: number, limit: number, userId?: number): Promise<Member[]> {
    const rows = await this.knex(`${M} as m`)
      .modify((q) => (userId === undefined ? q : q.where('m.user_id', userId)))
      .where('m.access_until', '<=', now)
      .whereNull('m.expired_logged_at')
      .whereNull('m.is_owner')
      .orderBy('m.access_until')
      .limit(limit)
      .select<Record<string, unknown>[]>(MEMBER_COLUMNS);
    return rows.map(toMember);
  }

  /** Makes a member the owner (every permission); `keptAside` is their own set, for when ownership moves on. */
  async setOwner(db: Knex | Knex.Transaction, id: number, keptAside: string[] | null, now: number): Promise<void> {
    await db(M)
      .where({ id })
      .update({
        is_owner: true,
        all_permissions: true,
        permissions: '[]',
        scopes: null,
        before_owner_permissions: keptAside ? JSON.stringify(keptAside) : null,
        // The owner's access never ends by a date.
        access_until: null,
        updated_at: now,
      });
  }

  /** The previous owner becomes a user of the account with the given access. */
  async unsetOwner(db: Knex | Knex.Transaction, id: number, all: boolean, keys: string[], now: number): Promise<void> {
    await db(M)
      .where({ id })
      .update({
        is_owner: null,
        all_permissions: all,
        permissions: JSON.stringify(storedKeys(all, keys)),
        before_owner_permissions: null,
        updated_at: now,
      });
  }

  async deleteMember(db: Knex | Knex.Transaction, id: number): Promise<void> {
    await db(M).where({ id }).del();
  }

  async deleteByAccount(db: Knex | Knex.Transaction, accountId: number): Promise<void> {
    await db(M).where({ account_id: accountId }).del();
  }

  async deleteByUser(db: Knex | Knex.Transaction, userId: number): Promise<void> {
    await db(M).where({ user_id: userId }).del();
  }

  /** Every membership of every account (the admin overview's total). */
  async countAll(): Promise<number> {
    const row = (await this.knex(M).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** Users other than owners with access to an open account (what switching the module off pauses). */
  async countUsersOfOpenAccounts(): Promise<number> {
    const a = this.schema.accounts;
    const row = (await this.knex(`${M} as m`)
      .join(`${a.table} as a`, `a.${a.id}`, 'm.account_id')
      .whereNull('m.is_owner')
      .modify(whereOpen, this.schema, 'a')
      .count({ n: '*' })
      .first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }
}
