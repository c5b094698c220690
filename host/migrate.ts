import type { Knex } from 'knex';
import * as portal from './migrations/001_portal';
import * as signIns from './migrations/002_sign_ins';
import * as nameIndexes from './migrations/003_name_indexes';

const list = [
  { name: '001_portal', migration: portal as Knex.Migration },
  { name: '002_sign_ins', migration: signIns as Knex.Migration },
  { name: '003_name_indexes', migration: nameIndexes as Knex.Migration },
];

/** The portal's migrations, with a history table of their own (the module keeps a separate one). */
export async function migrateHost(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    tableName: 'host_migrations',
    migrationSource: {
      getMigrations: () => Promise.resolve(list),
      getMigrationName: (m: (typeof list)[number]) => m.name,
      getMigration: (m: (typeof list)[number]) => Promise.resolve(m.migration),
    },
  });
}
