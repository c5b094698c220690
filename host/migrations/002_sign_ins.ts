import type { Knex } from 'knex';

/** When each person last signed in, so the dashboard greets a first-time user with "Welcome". */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.bigInteger('last_sign_in_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('last_sign_in_at');
  });
}
