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
      pool: { min: 0, max: Number(url.searchParams.get('pool') ?? 10) },
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

export function isMysql(knex: Knex): boolean {
  return (knex.client as Knex.Client).config.client === 'mysql2';
}
