import type { Knex } from 'knex';

/** The reference portal's own tables: what a small billing panel has before any module. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable().unique();
    t.string('password_hash', 255).notNullable();
    t.string('first_name', 100).notNullable();
    t.string('last_name', 100).notNullable();
    t.string('locale', 16).nullable();
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('accounts', (t) => {
    t.increments('id');
    t.string('name', 150).notNullable();
    t.string('email', 254).notNullable();
    t.string('address', 200).notNullable().defaultTo('');
    t.string('city', 100).notNullable().defaultTo('');
    t.string('postcode', 20).notNullable().defaultTo('');
    t.string('country', 2).notNullable().defaultTo('');
    t.string('phone', 40).notNullable().defaultTo('');
    t.string('status', 16).notNullable().defaultTo('active');
    // The one person who signs in to this account when no module manages access.
    t.integer('primary_user_id').unsigned().notNullable().index();
    t.bigInteger('created_at').notNullable();
    t.index(['name']);
  });
  await knex.schema.createTable('services', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable().index();
    t.string('product', 150).notNullable();
    t.string('domain', 253).notNullable().defaultTo('');
    t.string('status', 32).notNullable();
    t.integer('amount_cents').notNullable();
    t.string('billing_cycle', 20).notNullable();
    t.string('next_due_date', 10).notNullable();
  });
  await knex.schema.createTable('domains', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable().index();
    t.string('name', 253).notNullable();
    t.string('status', 32).notNullable();
    t.string('expires_on', 10).notNullable();
    t.boolean('auto_renew').notNullable().defaultTo(true);
  });
  await knex.schema.createTable('invoices', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable().index();
    t.string('number', 32).notNullable();
    t.string('issued_on', 10).notNullable();
    t.string('due_on', 10).notNullable();
    t.integer('total_cents').notNullable();
    t.string('status', 16).notNullable();
  });
  await knex.schema.createTable('quotes', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable().index();
    t.string('subject', 200).notNullable();
    t.integer('total_cents').notNullable();
    t.string('valid_until', 10).notNullable();
    t.string('stage', 16).notNullable();
  });
  await knex.schema.createTable('tickets', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable().index();
    t.string('subject', 200).notNullable();
    t.string('department', 50).notNullable();
    t.string('status', 20).notNullable();
    t.text('message').notNullable();
    t.integer('opened_by').unsigned().nullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('contacts', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable().index();
    t.string('first_name', 100).notNullable();
    t.string('last_name', 100).notNullable();
    t.string('email', 254).notNullable();
    t.string('phone', 40).notNullable().defaultTo('');
  });
  await knex.schema.createTable('admins', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable().unique();
    t.string('password_hash', 255).notNullable();
    t.string('name', 150).notNullable();
  });
  await knex.schema.createTable('modules', (t) => {
    t.string('id', 64).primary();
    t.boolean('active').notNullable().defaultTo(false);
    t.string('version', 32).notNullable();
    t.text('settings').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('outbox', (t) => {
    t.increments('id');
    t.string('to_address', 254).notNullable();
    t.string('subject', 300).notNullable();
    t.text('text').notNullable();
    t.text('html').notNullable();
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 191).primary();
    t.integer('hits').notNullable();
    t.bigInteger('expires_at').notNullable().index();
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    t.text('sess', 'mediumtext').notNullable();
    // The shape connect-session-knex expects; created here so it is part of the portal's schema.
    t.dateTime('expired').notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'sessions',
    'rate_limits',
    'outbox',
    'modules',
    'admins',
    'contacts',
    'tickets',
    'quotes',
    'invoices',
    'domains',
    'services',
    'accounts',
    'users',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
