import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';

/** A Knex instance for `mysql://…` (production) or `sqlite:path` (demo and tests). */
export function createKnex(databaseUrl: string): Knex {
  if (databaseUrl.startsWith('mysql://') || databaseUrl.startsWith('mariadb://')) {
    const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
    return knexFactory({
      client: 'mysql2',
      connection: {
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.replace(/^\//, ''),
        charset: 'utf8mb4',
        timezone: 'Z',
        supportBigNumbers: true,
      },
      pool: { min: 0, max: Number(url.searchParams.get('pool') ?? 10), ...syncWait(url) },
    });
  }
  const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // WAL and a busy timeout let several processes (two app instances in tests) share the file.
      afterCreate: (conn: { pragma(s: string): void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  });
}

/**
 * On MariaDB Galera (`?wsrep_sync_wait=1` in the URL) every connection waits, before each read,
 * until its node has applied what the cluster committed before: a read on one node then sees a
 * write just made through another, as the module expects of its database.
 */
function syncWait(url: URL): {
  afterCreate?: (conn: MysqlConnection, done: (err: Error | null, conn: unknown) => void) => void;
} {
  const value = url.searchParams.get('wsrep_sync_wait');
  if (value === null) return {};
  if (!/^[0-9]{1,2}$/.test(value)) throw new Error(`wsrep_sync_wait must be a number, not "${value}"`);
  return {
    afterCreate: (conn, done) => conn.query(`SET SESSION wsrep_sync_wait = ${value}`, (err) => done(err, conn)),
  };
}

type MysqlConnection = { query(sql: string, callback: (err: Error | null) => void): void };

export function isMysql(knex: Knex): boolean {
  return (knex.client as Knex.Client).config.client === 'mysql2';
}
