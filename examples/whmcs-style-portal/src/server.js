const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { openDatabase, migrate } = require('./db');
const { seedIfEmpty } = require('./seed');
const { createPortal } = require('./app');

/** Starts the portal: its migrations, demo data on an empty database, then HTTP. */
async function main() {
  const port = Number(process.env.PORT ?? 4000);
  const baseUrl = process.env.BASE_URL ?? `http://localhost:${port}`;
  if (!process.env.DATABASE_URL) fs.mkdirSync(path.join(__dirname, '..', 'data'), { recursive: true });
  const knex = openDatabase();
  await migrate(knex);
  if (await seedIfEmpty(knex))
    console.log('Demo data: carla@example.com, ivan@example.com, staff "admin"; password demo-password');
  const sessionSecret = process.env.SESSION_SECRET ?? crypto.randomBytes(32).toString('hex');
  const { app } = await createPortal({ knex, baseUrl, sessionSecret, mailDir: process.env.MAIL_DIR });
  const server = app.listen(port, '127.0.0.1', () => console.log(`WHMCS-style portal listening on ${baseUrl}`));
  const stop = () => server.close(() => knex.destroy().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
