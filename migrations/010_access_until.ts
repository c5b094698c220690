import type { Knex } from 'knex';

// Access that ends by itself. `access_until` is the first moment (ms) a membership no longer opens
// its account; an invitation carries it to the membership it creates. `expired_logged_at` is set
// by the one conditional update that logs the ended access, so it is logged once whatever requests
// notice it at once; `ending_notice_sent_at` likewise lets the reminder e-mail go out once. The
// (access_until) index lets the periodic pass find the memberships ending soon without a scan.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.bigInteger('access_until').nullable();
    t.bigInteger('expired_logged_at').nullable();
    t.bigInteger('ending_notice_sent_at').nullable();
    t.index(['access_until'], 'mod_account_users_members_access_until');
  });
  await knex.schema.alterTable('mod_account_users_invites', (t) => {
    t.bigInteger('access_until').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mod_account_users_invites', (t) => {
    t.dropColumn('access_until');
  });
  await knex.schema.alterTable('mod_account_users_members', (t) => {
    t.dropIndex(['access_until'], 'mod_account_users_members_access_until');
    t.dropColumn('ending_notice_sent_at');
    t.dropColumn('expired_logged_at');
    t.dropColumn('access_until');
  });
}
