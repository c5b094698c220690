import { createApp } from './app';
import { loadConfig } from './config';
import { createKnex } from './db';
import { migrateHost } from './migrate';
import { DEMO_LOGINS, DEMO_PASSWORD, isEmpty, seedDemo } from './seed';

/** `npm start`: create or migrate the database, seed demo data into an empty one, listen. */
async function main(): Promise<void> {
  const config = loadConfig();
  const knex = createKnex(config.databaseUrl);
  await migrateHost(knex);
  const portal = await createApp({ knex, config });
  const fresh = await isEmpty(knex);
  if (fresh) await seedDemo(portal, knex);
  // A module that is on is kept at its latest schema.
  if (portal.registry.current().active) await portal.accountUsers.upgrade();
  const server = portal.app.listen(config.port, () => {
    console.log(
      `Portal running at ${config.baseUrl} (database: ${config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')})`,
    );
    if (fresh) console.log('Demo data seeded.');
    console.log(`Demo logins (password "${DEMO_PASSWORD}"):`);
    for (const l of DEMO_LOGINS) console.log(`  ${l.email.padEnd(20)} ${l.what}`);
  });
  const stop = () => server.close(() => knex.destroy().then(() => process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
