import type { Knex } from 'knex';

// User Management lists an account's members in the order they were added: this index gives that
// order directly, so a page costs the same for 10 members or 5,000 (no sort of the whole account).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.index(['account_id', 'id'], 'mod_account_users_members_account_added');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.dropIndex(['account_id', 'id'], 'mod_account_users_members_account_added');
  });
}
