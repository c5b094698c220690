import type { Knex } from 'knex';

// Access to chosen services and domains: a JSON object of item ids per kind, e.g.
// {"products":[12,14]}, on the membership and on the invitation that will create one. NULL (or a
// kind left out) is every item of that kind, those added later included. Kept on the membership
// row, the guard's one membership query reads it: a scope costs no query of its own, and it goes
// with the membership when that is removed.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.text('scopes').nullable();
  });
  await knex.schema.alterTable('mod_account_users_invites', (t) => {
    t.text('scopes').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_invites', (t) => {
    t.dropColumn('scopes');
  });
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.dropColumn('scopes');
  });
}
