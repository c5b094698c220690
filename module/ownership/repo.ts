import type { Knex } from 'knex';
import { accountNameAs, isOpenStatus } from '../host-schema';
import type { HostSchema } from '../contract';
import { TABLES } from '../tables';

/** How an offer ended; null while it is open. */
export type OfferOutcome = 'accepted' | 'declined' | 'withdrawn' | 'expired' | 'removed' | 'ownerChanged' | 'closed';

/** An owner's offer to hand an account over to one of its members. */
export interface OwnershipOffer {
  id: number;
  accountId: number;
  fromUserId: number;
  toUserId: number;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
  outcome: OfferOutcome | null;
  open: boolean;
}

/** An open offer made to a person, with the account's name and whether it can still be opened. */
export interface OfferToMe extends OwnershipOffer {
  accountName: string;
  accountOpen: boolean;
  fromEmail: string;
  fromFirstName: string;
  fromLastName: string;
}

const O = TABLES.ownershipOffers;

function toOffer(row: Record<string, unknown>): OwnershipOffer {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    fromUserId: Number(row.from_user_id),
    toUserId: Number(row.to_user_id),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    endedAt: row.ended_at === null || row.ended_at === undefined ? null : Number(row.ended_at),
    outcome: (row.outcome as OfferOutcome | null) ?? null,
    open: row.open_account_id !== null && row.open_account_id !== undefined,
  };
}

export class OffersRepo {
  constructor(
    private readonly knex: Knex,
    private readonly schema: HostSchema,
  ) {}

  async find(id: number, db: Knex | Knex.Transaction = this.knex): Promise<OwnershipOffer | undefined> {
    const row = (await db(O).where({ id }).first()) as Record<string, unknown> | undefined;
    return row ? toOffer(row) : undefined;
  }

  /** Locks one offer row until the transaction ends and reads it as committed now. */
  async lock(db: Knex.Transaction, id: number): Promise<OwnershipOffer | undefined> {
    const row = (await db(O).where({ id }).forUpdate().first()) as Record<string, unknown> | undefined;
    return row ? toOffer(row) : undefined;
  }

  /** The account's open offer (expired or not), locked until the transaction ends. */
  async lockOpenOf(db: Knex.Transaction, accountId: number): Promise<OwnershipOffer | undefined> {
    const row = (await db(O).where({ open_account_id: accountId }).forUpdate().first()) as
      Record<string, unknown> | undefined;
    return row ? toOffer(row) : undefined;
  }

  /** The account's open offer (expired or not), for pages. */
  async openOf(accountId: number): Promise<OwnershipOffer | undefined> {
    const row = (await this.knex(O).where({ open_account_id: accountId }).first()) as
      Record<string, unknown> | undefined;
    return row ? toOffer(row) : undefined;
  }

  /** Open offers that involve a user (made by or to them), in one account or in all, locked. */
  async lockOpenInvolving(db: Knex.Transaction, userId: number, accountId?: number): Promise<OwnershipOffer[]> {
    const q = db(O)
      .whereNotNull('open_account_id')
      .andWhere((w) => w.where('to_user_id', userId).orWhere('from_user_id', userId));
    if (accountId !== undefined) q.andWhere('account_id', accountId);
    const rows = (await q.forUpdate().select()) as Record<string, unknown>[];
    return rows.map(toOffer);
  }

  async insert(
    db: Knex.Transaction,
    input: { accountId: number; fromUserId: number; toUserId: number; now: number; expiresAt: number },
  ): Promise<number> {
    const [id] = await db(O).insert({
      account_id: input.accountId,
      open_account_id: input.accountId,
      from_user_id: input.fromUserId,
      to_user_id: input.toUserId,
      created_at: input.now,
      expires_at: input.expiresAt,
      ended_at: null,
      outcome: null,
    });
    return Number(id);
  }

  /** Ends an open offer; false when it had already ended. */
  async end(db: Knex.Transaction, id: number, outcome: OfferOutcome, now: number): Promise<boolean> {
    const changed = await db(O)
      .where({ id })
      .whereNotNull('open_account_id')
      .update({ open_account_id: null, outcome, ended_at: now });
    return Number(changed) > 0;
  }

  /** How many open, unexpired offers are made to a person (the account menu's badge): one indexed count. */
  async countOpenTo(userId: number, now: number): Promise<number> {
    const row = (await this.countOpenToQuery(userId, now).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** The query behind countOpenTo, for the guard to read within its own. */
  countOpenToQuery(userId: number, now: number): Knex.QueryBuilder {
    return this.knex(O)
      .where('to_user_id', userId)
      .whereNotNull('open_account_id')
      .andWhere('expires_at', '>', now)
      .count({ n: '*' });
  }

  /** The open, unexpired offers made to a person, across accounts, with who made them (at most `limit`). */
  async openTo(userId: number, now: number, limit: number): Promise<OfferToMe[]> {
    const a = this.schema.accounts;
    const u = this.schema.users;
    const rows = await this.knex(`${O} as o`)
      .join(`${a.table} as a`, `a.${a.id}`, 'o.account_id')
      .join(`${u.table} as u`, `u.${u.id}`, 'o.from_user_id')
      .where('o.to_user_id', userId)
      .whereNotNull('o.open_account_id')
      .andWhere('o.expires_at', '>', now)
      .orderBy('o.id')
      .limit(limit)
      .select<Record<string, unknown>[]>([
        'o.*',
        accountNameAs(this.knex, this.schema, 'a', 'account_name'),
        `a.${a.status} as account_status`,
        `u.${u.email} as from_email`,
        `u.${u.firstName} as from_first_name`,
        `u.${u.lastName} as from_last_name`,
      ]);
    return rows.map((row) => ({
      ...toOffer(row),
      accountName: String(row.account_name),
      accountOpen: isOpenStatus(this.schema, row.account_status),
      fromEmail: String(row.from_email),
      fromFirstName: (row.from_first_name as string | null) ?? '',
      fromLastName: (row.from_last_name as string | null) ?? '',
    }));
  }

  async deleteByAccount(db: Knex | Knex.Transaction, accountId: number): Promise<void> {
    await db(O).where({ account_id: accountId }).del();
  }
}
