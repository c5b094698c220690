import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mod_account_users_invites', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable();
    t.string('email', 254).notNullable();
    // The e-mail while the invitation is pending, NULL once accepted, cancelled or replaced:
    // the unique index allows one pending invitation per account and address.
    t.string('pending_email', 254).nullable();
    t.string('token_hash', 64).notNullable();
    t.boolean('all_permissions').notNullable().defaultTo(false);
    t.text('permissions').notNullable();
    t.integer('invited_by').unsigned().nullable();
    t.integer('invited_by_admin').unsigned().nullable();
    t.string('locale', 16).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('accepted_at').nullable();
    t.integer('accepted_by').unsigned().nullable();
    t.bigInteger('cancelled_at').nullable();
    t.integer('sent_count').unsigned().notNullable().defaultTo(1);
    t.bigInteger('last_sent_at').notNullable();
    t.unique(['token_hash'], { indexName: 'mod_account_users_invites_token' });
    t.unique(['account_id', 'pending_email'], { indexName: 'mod_account_users_invites_one_pending' });
    t.index(['account_id', 'last_sent_at'], 'mod_account_users_invites_account_sent');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mod_account_users_invites');
}
