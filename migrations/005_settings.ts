import type { Knex } from 'knex';

// The module keeps the values its settings page saves, so a host needs no storage of its own
// (a host may pass a settingsStore of its own instead; this table then stays empty).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mod_account_users_settings', (t) => {
    t.string('name', 64).primary();
    t.text('value').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mod_account_users_settings');
}
