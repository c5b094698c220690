const path = require('node:path');
const knexFactory = require('knex');

/** SQLite file by default; DATABASE_URL=mysql://… for MySQL/MariaDB, as a hosting company runs it. */
function openDatabase(url = process.env.DATABASE_URL) {
  if (url && url.startsWith('mysql')) {
    return knexFactory({ client: 'mysql2', connection: url, pool: { min: 0, max: 10 } });
  }
  const filename = url ? url.replace(/^sqlite:/, '') : path.join(__dirname, '..', 'data', 'portal.sqlite');
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // Wait for a concurrent writer instead of failing at once.
    pool: { afterCreate: (conn, done) => done(null, conn.pragma('busy_timeout = 5000')) },
  });
}

/** The portal's own tables; its migrations keep their own history table. */
function migrate(knex) {
  return knex.migrate.latest({
    directory: path.join(__dirname, 'migrations'),
    tableName: 'tblmigrations',
    loadExtensions: ['.js'],
  });
}

module.exports = { openDatabase, migrate };
