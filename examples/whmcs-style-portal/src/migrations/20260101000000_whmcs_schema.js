// The portal's tables in WHMCS's naming: users log in, clients are the billable accounts.
exports.up = async (knex) => {
  await knex.schema.createTable('tblusers', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable().unique();
    t.string('password', 255).notNullable();
    t.string('first_name', 100).notNullable().defaultTo('');
    t.string('last_name', 100).notNullable().defaultTo('');
    // WHMCS language names (english, german, …), not BCP 47.
    t.string('language', 32).notNullable().defaultTo('');
    t.bigInteger('last_login').nullable();
  });
  await knex.schema.createTable('tblclients', (t) => {
    t.increments('id');
    // Empty for an individual: the account is then named by firstname + lastname.
    t.string('companyname', 200).notNullable().defaultTo('');
    t.string('firstname', 100).notNullable().defaultTo('');
    t.string('lastname', 100).notNullable().defaultTo('');
    t.string('email', 254).notNullable();
    t.string('status', 16).notNullable().defaultTo('Active');
    t.integer('owner_user_id').unsigned().notNullable().references('id').inTable('tblusers');
    t.bigInteger('datecreated').notNullable();
    t.index(['owner_user_id']);
  });
  await knex.schema.createTable('tblhosting', (t) => {
    t.increments('id');
    t.integer('userid').unsigned().notNullable().references('id').inTable('tblclients');
    t.string('domain', 200).notNullable();
    t.string('product', 100).notNullable();
    t.string('domainstatus', 16).notNullable().defaultTo('Active');
    t.string('nextduedate', 10).notNullable();
    t.index(['userid']);
  });
  await knex.schema.createTable('tblinvoices', (t) => {
    t.increments('id');
    t.integer('userid').unsigned().notNullable().references('id').inTable('tblclients');
    t.string('date', 10).notNullable();
    t.string('duedate', 10).notNullable();
    t.decimal('total', 10, 2).notNullable();
    t.string('status', 16).notNullable().defaultTo('Unpaid');
    t.index(['userid']);
  });
  await knex.schema.createTable('tbladmins', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('password', 255).notNullable();
    t.string('firstname', 100).notNullable();
    t.string('lastname', 100).notNullable();
    t.string('email', 254).notNullable();
  });
  // Which addon modules the staff switched on (WHMCS keeps this in tbladdonmodules).
  await knex.schema.createTable('tbladdonmodules', (t) => {
    t.string('module', 64).notNullable();
    t.string('setting', 64).notNullable();
    t.text('value').notNullable();
    t.primary(['module', 'setting']);
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).notNullable().primary();
    t.text('sess', 'mediumtext').notNullable();
    // The shape connect-session-knex expects, created here as part of the portal's schema.
    t.dateTime('expired').notNullable().index();
  });
};

exports.down = async (knex) => {
  for (const table of [
    'sessions',
    'tbladdonmodules',
    'tbladmins',
    'tblinvoices',
    'tblhosting',
    'tblclients',
    'tblusers',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
};
