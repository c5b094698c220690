import type { Knex } from 'knex';

// What an owner could do as a user before they became owner (a JSON list of permission keys),
// so that when ownership moves on, staff can give them back exactly that instead of All
// Permissions. NULL when they had All Permissions, had no membership before, or became owner
// before this column existed; cleared when they stop being owner.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.text('before_owner_permissions').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.dropColumn('before_owner_permissions');
  });
}
