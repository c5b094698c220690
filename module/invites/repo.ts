import type { Knex } from 'knex';
import { TABLES } from '../tables';
import { parseStoredPermissions } from '../permissions';
import { countActionsSince } from '../log/repo';

export interface Invite {
  id: number;
  accountId: number;
  email: string;
  /** Still open: not accepted, cancelled or replaced (it may have expired all the same). */
  pending: boolean;
  allPermissions: boolean;
  permissions: string[];
  invitedBy: number | null;
  locale: string | null;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedBy: number | null;
  cancelledAt: number | null;
  sentCount: number;
  lastSentAt: number;
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
    invitedBy: num(row.invited_by),
    locale: (row.locale as string | null) ?? null,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    acceptedAt: num(row.accepted_at),
    acceptedBy: num(row.accepted_by),
    cancelledAt: num(row.cancelled_at),
    sentCount: Number(row.sent_count),
    lastSentAt: Number(row.last_sent_at),
  };
}

/** Data access for invitations; every rule lives in the service. */
export class InvitesRepo {
  constructor(private readonly knex: Knex) {}

  /** `lock` holds the row until the transaction ends (MySQL), so two changes do not interleave. */
  async byId(accountId: number, id: number, db: Db = this.knex, lock = false): Promise<Invite | undefined> {
    const query = db(I).where({ id, account_id: accountId });
    const row = (await (lock ? query.forUpdate() : query).first()) as Record<string, unknown> | undefined;
    return row ? toInvite(row) : undefined;
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
      invitedBy: number | null;
      invitedByAdmin?: number | null;
      locale: string | null;
      now: number;
      expiresAt: number;
    },
  ): Promise<number> {
    const [id] = await db(I).insert({
      account_id: input.accountId,
      email: input.email,
      pending_email: input.email,
      token_hash: input.tokenHash,
      all_permissions: input.all,
      permissions: JSON.stringify(input.all ? [] : input.keys),
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
    });
    return Number(id);
  }

  /** What a still-pending invitation grants; an accepted or cancelled one is left as it was. */
  async updateAccess(db: Db, id: number, all: boolean, keys: string[]): Promise<number> {
    return Number(
      await db(I)
        .where({ id })
        .whereNotNull('pending_email')
        .update({ all_permissions: all, permissions: JSON.stringify(all ? [] : keys) }),
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
   * lock makes concurrent claims wait, and they then find pending_email already NULL.
   */
  async claim(db: Db, id: number, tokenHash: string, userId: number, now: number): Promise<boolean> {
    const changed = await db(I)
      .where({ id, token_hash: tokenHash })
      .whereNotNull('pending_email')
      .whereNull('cancelled_at')
      .andWhere('expires_at', '>', now)
      .update({ accepted_at: now, accepted_by: userId, pending_email: null });
    return Number(changed) === 1;
  }
}
