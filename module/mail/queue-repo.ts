import type { Knex } from 'knex';
import { TABLES } from '../tables';

const Q = TABLES.mailQueue;

export type MailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'dropped';

export interface QueuedMail {
  id: number;
  kind: string;
  accountId: number | null;
  inviteId: number | null;
  to: string;
  payload: Record<string, unknown>;
  status: MailStatus;
  attempts: number;
  nextAttemptAt: number;
}

function toMail(row: Record<string, unknown>): QueuedMail {
  return {
    id: Number(row.id),
    kind: String(row.kind),
    accountId: row.account_id === null ? null : Number(row.account_id),
    inviteId: row.invite_id === null ? null : Number(row.invite_id),
    to: String(row.to_address),
    payload: JSON.parse(String(row.payload)) as Record<string, unknown>,
    status: String(row.status) as MailStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
  };
}

/** The module's outgoing mail: written with what it announces, claimed by one sender at a time. */
export class MailQueueRepo {
  constructor(private readonly knex: Knex) {}

  /**
   * Queues a message inside the caller's transaction; it becomes visible (and sendable) with the
   * commit. With `claimant` it is written already claimed by that sender, its first attempt
   * counted, as `claim` would leave it: no other sender ever takes it unless that attempt fails.
   */
  async enqueue(
    trx: Knex.Transaction,
    mail: {
      kind: string;
      accountId: number | null;
      inviteId: number | null;
      to: string;
      payload: Record<string, unknown>;
    },
    now: number,
    claimant?: string,
  ): Promise<number> {
    const [id] = await trx(Q).insert({
      kind: mail.kind,
      account_id: mail.accountId,
      invite_id: mail.inviteId,
      to_address: mail.to,
      payload: JSON.stringify(mail.payload),
      status: claimant ? 'sending' : 'queued',
      claimed_by: claimant ?? null,
      attempts: claimant ? 1 : 0,
      next_attempt_at: now,
      created_at: now,
    });
    return Number(id);
  }

  /** An invitation's earlier message that has not gone out yet is replaced by the newer one. */
  async dropUnsent(trx: Knex.Transaction, inviteId: number): Promise<void> {
    await trx(Q).where({ invite_id: inviteId, status: 'queued' }).update({ status: 'dropped' });
  }

  /** Ids of messages due now, oldest first, by the (status, next_attempt_at) index. */
  async due(now: number, limit: number): Promise<number[]> {
    const rows = await this.knex(Q)
      .where('status', 'queued')
      .andWhere('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .select<Array<{ id: number }>>('id');
    return rows.map((r) => Number(r.id));
  }

  /**
   * Takes a due message for one sender: a single conditional UPDATE, so of two app instances
   * (or two calls) exactly one gets it. The claim counts as an attempt before anything is sent.
   */
  async claim(trx: Knex.Transaction, id: number, claimant: string, now: number): Promise<QueuedMail | undefined> {
    const changed = await trx(Q)
      .where({ id, status: 'queued' })
      .andWhere('next_attempt_at', '<=', now)
      .update({ status: 'sending', claimed_by: claimant, attempts: trx.raw('attempts + 1') });
    if (Number(changed) !== 1) return undefined;
    const row = (await trx(Q).where({ id }).first()) as Record<string, unknown>;
    return toMail(row);
  }

  async finish(id: number, claimant: string, status: 'sent' | 'dropped', now: number): Promise<void> {
    await this.knex(Q)
      .where({ id, claimed_by: claimant, status: 'sending' })
      .update({ status, sent_at: status === 'sent' ? now : null });
  }

  /** A failed attempt: tried again at `next`, or given up (`failed`) when there is none. */
  async retry(id: number, claimant: string, next: number | null, error: string): Promise<void> {
    await this.knex(Q)
      .where({ id, claimed_by: claimant, status: 'sending' })
      .update({
        status: next === null ? 'failed' : 'queued',
        next_attempt_at: next ?? 0,
        claimed_by: null,
        last_error: error.slice(0, 255),
      });
  }

  async byId(id: number): Promise<QueuedMail | undefined> {
    const row = (await this.knex(Q).where({ id }).first()) as Record<string, unknown> | undefined;
    return row ? toMail(row) : undefined;
  }
}
