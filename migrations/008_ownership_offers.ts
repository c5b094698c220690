import type { Knex } from 'knex';

// An owner's offer to hand the account over to one of its members, who accepts or declines it.
// `open_account_id` is the account while the offer is open and NULL once it has ended (accepted,
// declined, withdrawn, expired or ended by another change): the unique index lets each account
// have at most one open offer, whatever requests run at once.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mod_account_users_ownership_offers', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable();
    t.integer('open_account_id').unsigned().nullable();
    t.integer('from_user_id').unsigned().notNullable();
    t.integer('to_user_id').unsigned().notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('ended_at').nullable();
    // accepted, declined, withdrawn, expired, removed, ownerChanged, closed
    t.string('outcome', 32).nullable();
    t.unique(['open_account_id'], { indexName: 'mod_account_users_ownership_offers_one_open' });
    t.index(['to_user_id', 'open_account_id'], 'mod_account_users_ownership_offers_to');
    t.index(['account_id', 'id'], 'mod_account_users_ownership_offers_account');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mod_account_users_ownership_offers');
}
