import type { Knex } from 'knex';

// A counter on the membership row that every change queued on an account's owner row raises
// (`lockOwner`). On one server a locking read would do; on MariaDB Galera a locking read holds
// only on its own node, so two such changes on two nodes both commit. A write to the owner row
// takes part in certification: of two at once on two nodes, the later one fails with a deadlock
// error and is tried again, and then sees what the first one did (e.g. the seat it took).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.integer('lock_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.dropColumn('lock_version');
  });
}
