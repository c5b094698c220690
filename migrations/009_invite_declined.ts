import type { Knex } from 'knex';

// An invitation the invitee declined from their Invitations page: it is no longer pending
// (pending_email NULL) and its owner sees it as declined for a while. The index on
// pending_email finds one person's pending invitations across accounts; the one on
// (account_id, declined_at) the recently declined invitations of an account.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_invites', (t) => {
    t.bigInteger('declined_at').nullable();
    t.integer('declined_by').unsigned().nullable();
    t.index(['pending_email'], 'mod_account_users_invites_pending_email');
    t.index(['account_id', 'declined_at'], 'mod_account_users_invites_account_declined');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_invites', (t) => {
    t.dropIndex(['account_id', 'declined_at'], 'mod_account_users_invites_account_declined');
    t.dropIndex(['pending_email'], 'mod_account_users_invites_pending_email');
    t.dropColumn('declined_by');
    t.dropColumn('declined_at');
  });
}
