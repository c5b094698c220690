import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { createApp, type Portal } from '../../host/app';
import { createKnex } from '../../host/db';
import type { HostConfig } from '../../host/config';
import { migrateHost } from '../../host/migrate';
import { Factories } from '../helpers/factories';
import { quietLogger, rememberSessionDatabase, testConfig } from '../helpers/portal';

export const mysqlUrl = (process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

export async function mysqlAnswers(): Promise<boolean> {
  try {
    const conn = await mysql.createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

/** Skips a suite when MariaDB does not answer, unless REQUIRE_MYSQL=1 (CI), where that fails. */
export function requireMysql(suite: Mocha.Context): Promise<void> {
  return mysqlAnswers().then((ok) => {
    if (ok) return;
    if (process.env.REQUIRE_MYSQL === '1') throw new Error(`MariaDB at ${mysqlUrl} does not answer`);
    console.log(
      `  Skipping the reliability suite: MariaDB at ${mysqlUrl} does not answer ` +
        '(REQUIRE_MYSQL=1 makes this a failure).',
    );
    suite.skip();
  });
}

/** A database of its own for one suite, migrated; `drop` removes it. */
export async function freshDatabase(label: string): Promise<{ name: string; knex: Knex; drop(): Promise<void> }> {
  const name = `account_users_rel_${label}_${process.pid}`;
  const conn = await mysql.createConnection({ uri: mysqlUrl });
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const knex = createKnex(`${mysqlUrl}/${name}`);
  await migrateHost(knex);
  return {
    name,
    knex,
    async drop() {
      await knex.destroy();
      const c = await mysql.createConnection({ uri: mysqlUrl });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** One app instance (as one process of a load-balanced portal) on its own connection pool. */
export async function instance(
  knex: Knex,
  options: {
    config?: Partial<HostConfig>;
    moduleStateTtlMs?: number;
    requestTimeoutMs?: number;
    activate?: boolean;
  } = {},
): Promise<{ portal: Portal; f: Factories }> {
  const portal = await createApp({
    knex,
    config: testConfig(options.config),
    logger: quietLogger,
    moduleStateTtlMs: options.moduleStateTtlMs ?? 0,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  rememberSessionDatabase(portal.app, knex);
  if (options.activate) {
    await portal.accountUsers.activate();
    await portal.registry.save({ active: true, version: portal.accountUsers.manifest.version });
  }
  return { portal, f: new Factories(knex, portal) };
}
