import type { Knex } from 'knex';
import { TABLES } from '../tables';
import { parseStoredPermissions, storedKeys } from '../permissions';
import { parseStoredScopes, storeScopes, type ResourceScopes } from '../scopes';
import { countActionsSince } from '../log/repo';
import type { HostSchema } from '../contract';
import { accountNameAs, whereOpen } from '../host-schema';

export interface Invite {
  id: number;
  accountId: number;
  email: string;
  /** Still open: not accepted, cancelled or replaced (it may have expired all the same). */
  pending: boolean;
  allPermissions: boolean;
  permissions: string[];
  /** The services and domains the membership it creates is narrowed to (a kind left out: every item). */
  scopes: ResourceScopes;
  invitedBy: number | null;
  locale: string | null;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedBy: number | null;
  cancelledAt: number | null;
  /** When the invitee declined it from their Invitations page (it is then no longer pending). */
  declinedAt: number | null;
  sentCount: number;
  lastSentAt: number;
  /** The end of access the membership it creates gets (null: none). */
  accessUntil: number | null;
}

const I = TABLES.invites;
type Db = Knex | Knex.Transaction;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toInvite(row: Record<string, unknown>): Invite {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    email: String(row.email),
    pending: row.pending_email !== null && row.pending_email !== undefined,
    allPermissions: Boolean(row.all_permissions),
    permissions: parseStoredPermissions(row.permissions),
    scopes: parseStoredScopes(row.scopes),
    invitedBy: num(row.invited_by),
    locale: (row.locale as string | null) ?? null,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    acceptedAt: num(row.accepted_at),
    acceptedBy: num(row.accepted_by),
    cancelledAt: num(row.cancelled_at),
    declinedAt: num(row.declined_at),
    sentCount: Number(row.sent_count),
    lastSentAt: Number(row.last_sent_at),
    accessUntil: num(row.access_until),
  };
}

/** A pending invitation as its invitee sees it: with the name of the account it opens. */
export interface AddressedInvite extends Invite {
  accountName: string;
}

/**
 * An invitation with what opening or accepting it needs, read in one query: its account (absent
 * when the host no longer has it), the person who sent it and the account's owner.
 */
export interface InviteInContext {
  invite: Invite;
  account?: { name: string; status: unknown };
  inviter?: { id: number; email: string; firstName: string; lastName: string };
  ownerId?: number;
  /** Whether `viewerId` (when asked) is a member of the account already. */
  viewerIsMember?: boolean;
}

/** Data access for invitations; every rule lives in the service. */
export class InvitesRepo {
  /** `schema` (the host's tables) is needed only by the invitee's queries, which read account names and statuses. */
  constructor(
    private readonly knex: Knex,
    private readonly schema?: HostSchema,
  ) {}

  private addressedQuery(email: string, now: number): Knex.QueryBuilder {
    const schema = this.schema;
    if (!schema) throw new Error('InvitesRepo: the host schema is needed for invitations by address');
    const a = schema.accounts;
    return this.knex(`${I} as i`)
      .join(`${a.table} as a`, `a.${a.id}`, 'i.account_id')
      .where('i.pending_email', email)
      .whereNull('i.cancelled_at')
      .whereNull('i.declined_at')
      .andWhere('i.expires_at', '>', now)
      .modify(whereOpen, schema, 'a');
  }

  /**
   * The invitations addressed to `email` that can still be accepted now (pending, unexpired, in an
   * open account), across accounts, the newest first; at most `limit`.
   */
  async addressedTo(email: string, now: number, limit: number): Promise<AddressedInvite[]> {
    const rows = await this.addressedQuery(email, now)
      .orderBy('i.last_sent_at', 'desc')
      .orderBy('i.id', 'desc')
      .limit(limit)
      .select<Record<string, unknown>[]>('i.*', accountNameAs(this.knex, this.schema!, 'a', 'account_name'));
    return rows.map((row) => ({ ...toInvite(row), accountName: String(row.account_name) }));
  }

  /** How many invitations `addressedTo` would list without a limit (the account menu's count). */
  async countAddressedTo(email: string, now: number): Promise<number> {
    const row = (await this.countAddressedQuery(email, now).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** The query behind countAddressedTo, for the guard to read within its own. */
  countAddressedQuery(email: string, now: number): Knex.QueryBuilder {
    return this.addressedQuery(email, now).count({ n: '*' });
  }

  /**
   * Ends a pending, unexpired invitation at its invitee's request; false when it was no longer
   * pending (accepted, cancelled or declined a moment before) or has expired.
   */
  async decline(db: Db, id: number, userId: number, now: number): Promise<boolean> {
    const changed = await db(I)
      .where({ id })
      .whereNotNull('pending_email')
      .whereNull('cancelled_at')
      .andWhere('expires_at', '>', now)
      .update({ declined_at: now, declined_by: userId, pending_email: null });
    return Number(changed) === 1;
  }

  /** The account's invitations declined since `since`, the most recent first (at most `limit`). */
  async declinedSince(accountId: number, since: number, limit: number): Promise<Invite[]> {
    const rows = (await this.knex(I)
      .where('account_id', accountId)
      .andWhere('declined_at', '>', since)
      .orderBy('declined_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)) as Record<string, unknown>[];
    return rows.map(toInvite);
  }

  /** `lock` holds the row until the transaction ends (MySQL), so two changes do not interleave. */
  async byId(accountId: number, id: number, db: Db = this.knex, lock = false): Promise<Invite | undefined> {
    const query = db(I).where({ id, account_id: accountId });
    const row = (await (lock ? query.forUpdate() : query).first()) as Record<string, unknown> | undefined;
    return row ? toInvite(row) : undefined;
  }

  /** An invitation by id, of any account (the invitee's page checks whose it is). */
  async find(id: number): Promise<Invite | undefined> {
    const row = (await this.knex(I).where({ id }).first()) as Record<string, unknown> | undefined;
    return row ? toInvite(row) : undefined;
  }

  /**
   * The invitation of a link (or of an id) with its account, inviter and owner: joins on the
   * accounts and users primary keys and the members (account, owner) and (account, user) indexes,
   * instead of a lookup each. With `viewerId`, also whether that person is a member already.
   */
  async inContext(
    where: { tokenHash: string } | { id: number },
    viewerId?: number,
  ): Promise<InviteInContext | undefined> {
    const schema = this.schema;
    if (!schema) throw new Error('InvitesRepo: the host schema is needed for an invitation with its account');
    const a = schema.accounts;
    const u = schema.users;
    const q = this.knex(`${I} as i`)
      .leftJoin(`${a.table} as a`, `a.${a.id}`, 'i.account_id')
      .leftJoin(`${u.table} as u`, `u.${u.id}`, 'i.invited_by')
      .leftJoin(`${TABLES.members} as o`, (on) => on.on('o.account_id', 'i.account_id').andOnVal('o.is_owner', true))
      .where('tokenHash' in where ? { 'i.token_hash': where.tokenHash } : { 'i.id': where.id });
    const columns: Array<string | Knex.Raw> = [
      'i.*',
      `a.${a.id} as account_found`,
      accountNameAs(this.knex, schema, 'a', 'account_name'),
      `a.${a.status} as account_status`,
      `u.${u.id} as inviter_id`,
      `u.${u.email} as inviter_email`,
      `u.${u.firstName} as inviter_first_name`,
      `u.${u.lastName} as inviter_last_name`,
      'o.user_id as owner_id',
    ];
    if (viewerId !== undefined) {
      q.leftJoin(`${TABLES.members} as v`, (on) =>
        on.on('v.account_id', 'i.account_id').andOnVal('v.user_id', viewerId),
      );
      columns.push('v.id as viewer_member');
    }
    const row = await q.first<Record<string, unknown> | undefined>(columns);
    if (!row) return undefined;
    const present = (v: unknown) => v !== null && v !== undefined;
    return {
      invite: toInvite(row),
      account: present(row.account_found) ? { name: String(row.account_name), status: row.account_status } : undefined,
      inviter: present(row.inviter_id)
        ? {
            id: Number(row.inviter_id),
            email: row.inviter_email as string,
            firstName: row.inviter_first_name as string,
            lastName: row.inviter_last_name as string,
          }
        : undefined,
      ownerId: present(row.owner_id) ? Number(row.owner_id) : undefined,
      viewerIsMember: viewerId === undefined ? undefined : present(row.viewer_member),
    };
  }

  async byTokenHash(hash: string, db: Db = this.knex): Promise<Invite | undefined> {
    const row = (await db(I).where({ token_hash: hash }).first()) as Record<string, unknown> | undefined;
    return row ? toInvite(row) : undefined;
  }

  async pendingFor(accountId: number, email: string, db: Db = this.knex): Promise<Invite | undefined> {
    const row = (await db(I).where({ account_id: accountId, pending_email: email }).first()) as
      Record<string, unknown> | undefined;
    return row ? toInvite(row) : undefined;
  }

  /** Pending invitations that can still be accepted: they count towards the account's user limit. */
  async countOpen(accountId: number, now: number, db: Db = this.knex): Promise<number> {
    const row = (await db(I)
      .where('account_id', accountId)
      .whereNotNull('pending_email')
      .andWhere('expires_at', '>', now)
      .count({ n: '*' })
      .first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async countPending(accountId: number): Promise<number> {
    const row = (await this.knex(I)
      .where('account_id', accountId)
      .whereNotNull('pending_email')
      .count({ n: '*' })
      .first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** One page of pending invitations (expired ones included, so the owner can resend), newest first. */
  async listPending(accountId: number, offset: number, limit: number): Promise<Invite[]> {
    const rows = (await this.knex(I)
      .where('account_id', accountId)
      .whereNotNull('pending_email')
      .orderBy('last_sent_at', 'desc')
      .orderBy('id', 'desc')
      .offset(offset)
      .limit(limit)) as Record<string, unknown>[];
    return rows.map(toInvite);
  }

  /**
   * Invitation e-mails (first sends and resends) the account sent since `since`, read from the
   * activity log both are written to, so the count holds across app instances.
   */
  async sendsSince(accountId: number, since: number, db: Db = this.knex): Promise<number> {
    return countActionsSince(db, accountId, ['invite_sent', 'invite_resent'], since);
  }

  async insert(
    db: Db,
    input: {
      accountId: number;
      email: string;
      tokenHash: string;
      all: boolean;
      keys: string[];
      scopes?: ResourceScopes;
      invitedBy: number | null;
      invitedByAdmin?: number | null;
      locale: string | null;
      now: number;
      expiresAt: number;
      accessUntil?: number | null;
    },
  ): Promise<number> {
    const [id] = await db(I).insert({
      account_id: input.accountId,
      email: input.email,
      pending_email: input.email,
      token_hash: input.tokenHash,
      all_permissions: input.all,
      permissions: JSON.stringify(storedKeys(input.all, input.keys)),
      scopes: input.all ? null : storeScopes(input.scopes ?? {}),
      invited_by: input.invitedBy,
      invited_by_admin: input.invitedByAdmin ?? null,
      locale: input.locale,
      created_at: input.now,
      expires_at: input.expiresAt,
      accepted_at: null,
      accepted_by: null,
      cancelled_at: null,
      sent_count: 1,
      last_sent_at: input.now,
      access_until: input.accessUntil ?? null,
    });
    return Number(id);
  }

  /** What a still-pending invitation grants; an accepted or cancelled one is left as it was. */
  async updateAccess(db: Db, id: number, all: boolean, keys: string[]): Promise<number> {
    return Number(
      await db(I)
        .where({ id })
        .whereNotNull('pending_email')
        .update({ all_permissions: all, permissions: JSON.stringify(storedKeys(all, keys)) }),
    );
  }

  /** A new link and expiry for a pending invitation being sent again. */
  async reissue(
    db: Db,
    id: number,
    input: { tokenHash: string; expiresAt: number; sentCount: number; locale: string | null; now: number },
  ): Promise<void> {
    await db(I).where({ id }).update({
      token_hash: input.tokenHash,
      expires_at: input.expiresAt,
      sent_count: input.sentCount,
      last_sent_at: input.now,
      locale: input.locale,
    });
  }

  /**
   * Gives a pending, unexpired invitation the hash of the link its e-mail is about to carry;
   * false when it is no longer pending or has expired, and then no link is sent.
   */
  async setTokenHash(db: Db, id: number, tokenHash: string, now: number): Promise<boolean> {
    const changed = await db(I)
      .where({ id })
      .whereNotNull('pending_email')
      .andWhere('expires_at', '>', now)
      .update({ token_hash: tokenHash });
    return Number(changed) === 1;
  }

  /** Cancels a still-pending invitation; returns how many rows changed (0 when it was no longer pending). */
  async cancel(db: Db, id: number, now: number): Promise<number> {
    return Number(
      await db(I).where({ id }).whereNotNull('pending_email').update({ cancelled_at: now, pending_email: null }),
    );
  }

  /** Closes an invitation without cancelling it: an expired one replaced by a new one to the same address. */
  async clearPending(db: Db, id: number): Promise<void> {
    await db(I).where({ id }).update({ pending_email: null });
  }

  /** The pending invitations one user sent for an account, locked until the transaction ends (MySQL). */
  async lockPendingBy(
    db: Knex.Transaction,
    accountId: number,
    userId: number,
  ): Promise<Array<{ id: number; email: string }>> {
    const rows = await db(I)
      .where({ account_id: accountId, invited_by: userId })
      .whereNotNull('pending_email')
      .forUpdate()
      .select<
        Array<{
          id: number;
          email: string;
        }>
      >('id', 'email');
    return rows.map((r) => ({ id: Number(r.id), email: r.email }));
  }

  /** Every invitation the user sent, in any account, that was neither accepted nor cancelled: cancelled now. */
  async cancelAllBy(db: Db, userId: number, now: number): Promise<void> {
    await db(I)
      .where({ invited_by: userId })
      .whereNull('accepted_at')
      .whereNull('cancelled_at')
      .whereNull('declined_at')
      .update({ pending_email: null, cancelled_at: now });
  }

  async deleteByAccount(db: Db, accountId: number): Promise<void> {
    await db(I).where({ account_id: accountId }).del();
  }

  /** Pending invitations of every account (the admin overview's total), expired ones included. */
  async countAllPending(): Promise<number> {
    const row = (await this.knex(I).whereNotNull('pending_email').count({ n: '*' }).first()) as
      { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** Invitations of every account that can still be accepted (what switching the module off pauses). */
  async countAllOpen(now: number): Promise<number> {
    const row = (await this.knex(I)
      .whereNotNull('pending_email')
      .andWhere('expires_at', '>', now)
      .count({ n: '*' })
      .first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /**
   * Claims a pending, unexpired invitation for one user. Only one caller can see 1 here: the row
   * lock makes concurrent claims (and a decline) wait, and they then find pending_email already NULL.
   * `tokenHash` is the link's (an old link claims nothing); null when accepted from the Invitations page.
   */
  async claim(db: Db, id: number, tokenHash: string | null, userId: number, now: number): Promise<boolean> {
    const changed = await db(I)
      .where({ id })
      .modify((q) => (tokenHash === null ? q : q.where({ token_hash: tokenHash })))
      .whereNotNull('pending_email')
      .whereNull('cancelled_at')
      .whereNull('declined_at')
      .andWhere('expires_at', '>', now)
      .update({ accepted_at: now, accepted_by: userId, pending_email: null });
    return Number(changed) === 1;
  }
}
