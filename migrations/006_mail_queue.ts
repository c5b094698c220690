import type { Knex } from 'knex';

// E-mails the module announces (an invitation, a new link) are written here in the same
// transaction as what they announce, and sent after the commit with retries: a pending
// invitation never lacks its e-mail, and a claimed row is sent by one app instance only.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mod_account_users_mail_queue', (t) => {
    t.increments('id');
    t.string('kind', 40).notNullable();
    t.integer('account_id').unsigned().nullable();
    t.integer('invite_id').unsigned().nullable();
    t.string('to_address', 254).notNullable();
    // What the message says, as data; the link's secret is made when the mail is sent, never stored.
    t.text('payload').notNullable();
    // queued → sending → sent; back to queued on a failed attempt; failed after the last one;
    // dropped when what it announced is gone (cancelled) or a newer message replaced it.
    t.string('status', 16).notNullable();
    t.integer('attempts').unsigned().notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.string('claimed_by', 32).nullable();
    t.string('last_error', 255).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('sent_at').nullable();
    t.index(['status', 'next_attempt_at'], 'mod_account_users_mail_queue_due');
    t.index(['invite_id'], 'mod_account_users_mail_queue_invite');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mod_account_users_mail_queue');
}
