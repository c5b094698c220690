import type { Knex } from 'knex';
import type { HostSchema } from './contract';

/**
 * Reading the host's accounts table as the contract describes it: the name may be a column or an
 * SQL expression, and an account is open in any of the listed statuses. The module compares no
 * status and builds no name anywhere else.
 */

/**
 * The account name of the accounts table under `alias`, as SQL: a column or the host's expression.
 * Knex embeds a Raw wherever a value or column goes (where, orderBy, select), so callers need no
 * case of their own for either form.
 */
export function accountName(knex: Knex, schema: HostSchema, alias: string): Knex.Raw {
  const name = schema.accounts.name;
  return typeof name === 'string'
    ? knex.raw('??', [`${alias}.${name}`])
    : knex.raw(`(${name.sql.replace(/\{a\}/g, alias)})`);
}

/**
 * The account name for a search: the column itself when it is one (`alias.column`), so that its
 * index and its collation serve the search, else the host's expression.
 */
export function searchableAccountName(knex: Knex, schema: HostSchema, alias: string): string | Knex.Raw {
  const name = schema.accounts.name;
  return typeof name === 'string' ? `${alias}.${name}` : accountName(knex, schema, alias);
}

/** The account name selected as `as` (for a select list). */
export function accountNameAs(knex: Knex, schema: HostSchema, alias: string, as: string): Knex.Raw {
  return knex.raw('? as ??', [accountName(knex, schema, alias), as]);
}

/** Restricts a query to open accounts (the accounts table under `alias`); for `.modify(whereOpen, schema, alias)`. */
export function whereOpen(qb: Knex.QueryBuilder, schema: HostSchema, alias: string): Knex.QueryBuilder {
  return qb.whereIn(`${alias}.${schema.accounts.status}`, schema.accounts.openStatuses);
}

export function isOpenStatus(schema: HostSchema, status: unknown): boolean {
  return schema.accounts.openStatuses.includes(String(status));
}
