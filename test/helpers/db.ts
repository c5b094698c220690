import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { createKnex, isMysql } from '../../host/db';
import { migrateHost } from '../../host/migrate';
import { TABLES } from '../../module/tables';
import type { Rows, TableName } from './rows';

export const backend = process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';
const mysqlUrl = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const dbName = `account_users_test_${process.pid}`;

let shared: { knex: Knex; url: string } | undefined;

/** The database URL this test process uses: a fresh SQLite file, or a database it creates in MySQL. */
export async function testDatabaseUrl(): Promise<string> {
  if (backend === 'mysql') {
    const conn = await mysql.createConnection({ uri: mysqlUrl });
    await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await conn.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.end();
    return `${mysqlUrl.replace(/\/+$/, '')}/${dbName}`;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'account-users-'));
  return `sqlite:${path.join(dir, 'test.sqlite')}`;
}

/** One database per test process, migrated once; tests empty it between suites. */
export async function sharedKnex(): Promise<{ knex: Knex; url: string }> {
  if (!shared) {
    const url = await testDatabaseUrl();
    const knex = createKnex(url);
    await migrateHost(knex);
    shared = { knex, url };
  }
  return shared;
}

const HOST_TABLES = [
  'users',
  'accounts',
  'services',
  'domains',
  'invoices',
  'quotes',
  'tickets',
  'contacts',
  'admins',
  'modules',
  'outbox',
  'rate_limits',
  'sessions',
];
const MODULE_TABLES = [
  TABLES.members,
  TABLES.invites,
  TABLES.log,
  TABLES.settings,
  TABLES.mailQueue,
  TABLES.ownershipOffers,
];

/** Empties every table (the module's too, when installed); much faster than migrating again. */
export async function emptyDatabase(knex: Knex): Promise<void> {
  for (const table of [...HOST_TABLES, ...MODULE_TABLES]) {
    if (!(await knex.schema.hasTable(table))) continue;
    if (isMysql(knex)) await knex.raw('TRUNCATE TABLE ??', [table]);
    else await knex(table).del();
  }
}

/**
 * Which rows a helper below reads: column values, or a callback adding conditions (and an order)
 * of its own; what the callback returns is ignored, as knex's builders return themselves.
 */
export type Where = Record<string, unknown> | ((q: Knex.QueryBuilder) => unknown);

/** `on` is anything with a connection: a test portal, a bare host, a database of its own. */
function select(on: { knex: Knex }, table: string, where: Where): Knex.QueryBuilder {
  const q = on.knex(table);
  if (typeof where === 'function') where(q);
  else q.where(where);
  return q;
}

/** How many rows of a table match. */
export async function count(on: { knex: Knex }, table: string, where: Where = {}): Promise<number> {
  const row = (await select(on, table, where).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** The first row of a table that matches, or undefined: for tests that check a row is there or gone. */
export async function firstRow<T extends TableName>(
  on: { knex: Knex },
  table: T,
  where: Where = {},
): Promise<Rows[T] | undefined> {
  return (await select(on, table, where).first()) as Rows[T] | undefined;
}

/** The first row of a table that matches, for a test that reads it: fails, naming the table, when none does. */
export async function foundRow<T extends TableName>(on: { knex: Knex }, table: T, where: Where = {}): Promise<Rows[T]> {
  const row = await firstRow(on, table, where);
  assert.ok(
    row,
    `a row in ${table} matching ${typeof where === 'function' ? 'the conditions' : JSON.stringify(where)}`,
  );
  return row;
}

/** Every row of a table that matches, in the order the callback gives (the database's otherwise). */
export async function allRows<T extends TableName>(
  on: { knex: Knex },
  table: T,
  where: Where = {},
): Promise<Array<Rows[T]>> {
  return (await select(on, table, where)) as Array<Rows[T]>;
}

export async function dropSharedDatabase(): Promise<void> {
  if (!shared) return;
  await shared.knex.destroy();
  if (backend === 'mysql') {
    const conn = await mysql.createConnection({ uri: mysqlUrl });
    await conn.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await conn.end();
  }
  shared = undefined;
}
