import { text } from '../db-values';
import type { Knex } from 'knex';
import { accountName, isOpenStatus, searchableAccountName } from '../host-schema';
import type { HostSchema } from '../contract';
import { eachWordStartsOneOf, startsWithFolded, searchWords } from '../text-search';
import { TABLES } from '../tables';

export interface FoundUser {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
}

export interface FoundAccount {
  id: number;
  name: string;
  status: string;
  open: boolean;
  ownerId: number | null;
  ownerName: string;
  ownerEmail: string;
}

/** The admin's searches over the host's users and accounts, paged in the database. */
export class AdminRepo {
  constructor(
    private readonly knex: Knex,
    private readonly schema: HostSchema,
  ) {}

  private usersQuery(search: string): Knex.QueryBuilder {
    const u = this.schema.users;
    // Each word starts the e-mail, first or last name: an index merge of three ranges, not a scan.
    const q = this.knex(`${u.table} as u`);
    return eachWordStartsOneOf(this.knex, q, search, [`u.${u.email}`, `u.${u.firstName}`, `u.${u.lastName}`]);
  }

  async countUsers(search: string): Promise<number> {
    const row = (await this.usersQuery(search).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async users(search: string, offset: number, limit: number): Promise<FoundUser[]> {
    const u = this.schema.users;
    const rows: Array<Record<string, unknown>> = await this.usersQuery(search)
      .orderBy(`u.${u.email}`)
      .orderBy(`u.${u.id}`)
      .offset(offset)
      .limit(limit)
      .select({ id: `u.${u.id}`, email: `u.${u.email}`, first: `u.${u.firstName}`, last: `u.${u.lastName}` });
    return rows.map((r) => ({
      id: Number(r.id),
      email: String(r.email),
      firstName: text(r.first),
      lastName: text(r.last),
    }));
  }

  private accountsQuery(search: string): Knex.QueryBuilder {
    const a = this.schema.accounts;
    // The name starts with what was typed ("customer 0012" finds Customer 001234 Ltd): a range of
    // the name's index when the name is a column; a host's `{ sql }` name has none and is scanned.
    const prefix = searchWords(search).join(' ');
    return this.knex(`${a.table} as a`).where(
      startsWithFolded(this.knex, searchableAccountName(this.knex, this.schema, 'a'), prefix),
    );
  }

  async countAccounts(search: string): Promise<number> {
    const row = (await this.accountsQuery(search).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /** One page of accounts by name, each with its owner (one query with two joins). */
  async accounts(search: string, offset: number, limit: number): Promise<FoundAccount[]> {
    const a = this.schema.accounts;
    const u = this.schema.users;
    const rows: Array<Record<string, unknown>> = await this.accountsQuery(search)
      .leftJoin(`${TABLES.members} as m`, (j) => j.on('m.account_id', `a.${a.id}`).andOnVal('m.is_owner', '=', 1))
      .leftJoin(`${u.table} as u`, `u.${u.id}`, 'm.user_id')
      .orderBy(accountName(this.knex, this.schema, 'a'))
      .orderBy(`a.${a.id}`)
      .offset(offset)
      .limit(limit)
      .select({
        id: `a.${a.id}`,
        name: accountName(this.knex, this.schema, 'a'),
        status: `a.${a.status}`,
        owner_id: 'm.user_id',
        owner_email: `u.${u.email}`,
        owner_first: `u.${u.firstName}`,
        owner_last: `u.${u.lastName}`,
      });
    return rows.map((r) => this.toAccount(r));
  }

  async account(id: number): Promise<FoundAccount | undefined> {
    const a = this.schema.accounts;
    const row: Record<string, unknown> | undefined = await this.knex(`${a.table} as a`)
      .where(`a.${a.id}`, id)
      .first({ id: `a.${a.id}`, name: accountName(this.knex, this.schema, 'a'), status: `a.${a.status}` });
    return row ? this.toAccount(row) : undefined;
  }

  async user(id: number): Promise<FoundUser | undefined> {
    const u = this.schema.users;
    const row = await this.knex(u.table)
      .where(u.id, id)
      .first<Record<string, unknown> | undefined>({ id: u.id, email: u.email, first: u.firstName, last: u.lastName });
    return row
      ? { id: Number(row.id), email: String(row.email), firstName: text(row.first), lastName: text(row.last) }
      : undefined;
  }

  /** Names of the accounts on one page of a log, in one query. */
  async accountNames(ids: number[]): Promise<Map<number, string>> {
    const a = this.schema.accounts;
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: number; name: string }> = await this.knex(`${a.table} as a`)
      .whereIn(`a.${a.id}`, ids)
      .select({ id: `a.${a.id}`, name: accountName(this.knex, this.schema, 'a') });
    return new Map(rows.map((r) => [Number(r.id), String(r.name)]));
  }

  private toAccount(r: Record<string, unknown>): FoundAccount {
    const ownerId = r.owner_id === null || r.owner_id === undefined ? null : Number(r.owner_id);
    return {
      id: Number(r.id),
      name: String(r.name),
      status: String(r.status),
      open: isOpenStatus(this.schema, r.status),
      ownerId,
      ownerName: `${text(r.owner_first)} ${text(r.owner_last)}`.trim(),
      ownerEmail: text(r.owner_email),
    };
  }
}
