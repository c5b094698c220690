import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mod_account_users_log', (t) => {
    t.bigIncrements('id');
    t.integer('account_id').unsigned().nullable();
    t.string('actor_type', 16).notNullable();
    t.integer('actor_id').unsigned().nullable();
    t.string('actor_name', 255).notNullable();
    t.string('action', 64).notNullable();
    t.integer('target_user_id').unsigned().nullable();
    t.string('target_email', 254).nullable();
    t.text('details').nullable();
    t.string('ip', 45).nullable();
    t.bigInteger('created_at').notNullable();
    t.index(['account_id', 'id'], 'mod_account_users_log_account');
    t.index(['target_user_id', 'id'], 'mod_account_users_log_target');
    t.index(['actor_type', 'actor_id', 'id'], 'mod_account_users_log_actor');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mod_account_users_log');
}
