import type { Knex } from 'knex';
import { migrations } from '../migrations';
import { TABLES } from './tables';

type Entry = (typeof migrations)[number];

const source: Knex.MigrationSource<Entry> = {
  getMigrations: () => Promise.resolve(migrations),
  getMigrationName: (entry) => entry.name,
  getMigration: (entry) => Promise.resolve(entry.migration),
};

/** The module's own migration history table keeps its migrations apart from the host's. */
export const migratorConfig: Knex.MigratorConfig = {
  migrationSource: source,
  tableName: TABLES.migrations,
};

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(migratorConfig)) as [number, string[]];
  return applied;
}

/** Rolls back every module migration, then drops the history tables: nothing of the module remains. */
export async function migrateDownAll(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable(TABLES.migrations)) {
    await knex.migrate.rollback(migratorConfig, true);
  }
  await knex.schema.dropTableIfExists(`${TABLES.migrations}_lock`);
  await knex.schema.dropTableIfExists(TABLES.migrations);
}

export async function isInstalled(knex: Knex): Promise<boolean> {
  return knex.schema.hasTable(TABLES.members);
}
