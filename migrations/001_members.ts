import type { Knex } from 'knex';

// A shipped migration is never edited; a change is a new migration.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mod_account_users_members', (t) => {
    t.increments('id');
    t.integer('account_id').unsigned().notNullable();
    t.integer('user_id').unsigned().notNullable();
    // 1 for the owner, NULL for everyone else: the unique index below then allows exactly one
    // owner per account (NULLs never collide), enforced by the database on SQLite and MySQL alike.
    t.boolean('is_owner').nullable();
    t.boolean('all_permissions').notNullable().defaultTo(false);
    t.text('permissions').notNullable();
    t.integer('invited_by').unsigned().nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('last_login_at').nullable();
    t.unique(['account_id', 'user_id'], { indexName: 'mod_account_users_members_account_user' });
    t.unique(['account_id', 'is_owner'], { indexName: 'mod_account_users_members_one_owner' });
    t.index(['user_id', 'last_login_at'], 'mod_account_users_members_user_recent');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mod_account_users_members');
}
