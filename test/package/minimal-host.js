// The shortest complete portal that mounts the installed package by its name, with plain node.
// The pack test copies it into an empty project; env: DATABASE_URL (sqlite:<file> or mysql://…), MAIL_FILE.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const express = require('express');
const session = require('express-session');
const createKnex = require('knex');
const { createModule, safeReturnPath } = require('account-users');

const url = process.env.DATABASE_URL;
const db = url.startsWith('mysql:')
  ? createKnex({ client: 'mysql2', connection: url })
  : createKnex({
      client: 'better-sqlite3',
      connection: { filename: url.slice('sqlite:'.length) },
      useNullAsDefault: true,
    });

const hash = (pw, salt = crypto.randomBytes(16).toString('hex')) =>
  `${salt}:${crypto.scryptSync(pw, salt, 32).toString('hex')}`;
const verify = (pw, stored) => crypto.timingSafeEqual(Buffer.from(hash(pw, stored.split(':')[0])), Buffer.from(stored));
// The portal's own user objects (first_name, …); the contract maps them for the module.
const toUser = (r) => r && { id: Number(r.id), email: r.email, first_name: r.first_name, last_name: r.last_name };
const forModule = (u) =>
  u && { id: u.id, email: u.email, firstName: u.first_name, lastName: u.last_name, locale: null };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Handlers run in priority order; a failing one is logged and the others still run.
const handlers = new Map();
const hooks = {
  on: (name, fn, priority = 10) =>
    handlers.set(
      name,
      [...(handlers.get(name) ?? []), { fn, priority }].sort((a, b) => a.priority - b.priority),
    ),
  off: (name, fn) =>
    handlers.set(
      name,
      (handlers.get(name) ?? []).filter((h) => h.fn !== fn),
    ),
  async emit(name, payload) {
    for (const { fn } of handlers.get(name) ?? [])
      await Promise.resolve()
        .then(() => fn(payload))
        .catch((err) => console.error(`hook ${name} failed`, err));
  },
};

async function main() {
  if (!(await db.schema.hasTable('users'))) {
    await db.schema.createTable('users', (t) => {
      t.increments('id');
      t.string('email', 254).notNullable().unique();
      t.string('password', 200).notNullable();
      t.string('first_name', 100).notNullable();
      t.string('last_name', 100).notNullable();
    });
    await db.schema.createTable('accounts', (t) => {
      t.increments('id');
      t.string('name', 200).notNullable();
      t.string('status', 20).notNullable();
      t.integer('primary_user_id').unsigned().notNullable();
    });
    // One owner with two accounts: activation makes her the owner of both.
    await db('users').insert({
      id: 1,
      email: 'olivia@example.test',
      password: hash('owner-password-1'),
      first_name: 'Olivia',
      last_name: 'Owner',
    });
    await db('accounts').insert([
      { id: 1, name: 'Acme Hosting', status: 'active', primary_user_id: 1 },
      { id: 2, name: 'Beta Labs', status: 'active', primary_user_id: 1 },
    ]);
  }
  const findUser = async (where) => toUser(await db('users').where(where).first());
  // The portal's one way to sign someone in: new session, then UserLogin decides where to go.
  async function signIn(req, user, returnTo) {
    await new Promise((ok, fail) => req.session.regenerate((err) => (err ? fail(err) : ok())));
    req.session.userId = user.id;
    req.user = user;
    const payload = { user: forModule(user), req, returnTo };
    await hooks.emit('UserLogin', payload);
    return payload.redirect ?? '/';
  }
  const m = await createModule({
    knex: db,
    schema: {
      users: { table: 'users', id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' },
      accounts: { table: 'accounts', id: 'id', name: 'name', status: 'status', openStatuses: ['active'] },
    },
    users: {
      findById: async (id) => forModule(await findUser({ id })),
      findByEmail: async (email) => forModule(await findUser({ email: email.trim().toLowerCase() })),
      async create({ email, firstName, lastName, password }) {
        const [id] = await db('users').insert({
          email: email.trim().toLowerCase(),
          password: hash(password),
          first_name: firstName,
          last_name: lastName,
        });
        return forModule(await findUser({ id }));
      },
      displayName: (u) => `${u.firstName} ${u.lastName}`.trim() || u.email,
      fromRequest: (req) => forModule(req.user),
      signIn: async (req, user, returnTo) => signIn(req, await findUser({ id: user.id }), returnTo),
    },
    accounts: {
      findByIds: async (ids) =>
        (await db('accounts').whereIn('id', ids)).map((a) => ({ id: Number(a.id), name: a.name, status: a.status })),
      primaryUsers: async () =>
        (await db('accounts')).map((a) => ({ accountId: Number(a.id), userId: Number(a.primary_user_id) })),
      primaryUserOf: async (id) => (await db('accounts').where({ id }).first())?.primary_user_id,
      primaryAccountsOf: async (userId) =>
        (await db('accounts').where({ primary_user_id: userId })).map((a) => Number(a.id)),
    },
    mailer: { send: async (mail) => fs.appendFileSync(process.env.MAIL_FILE, JSON.stringify(mail) + '\n') },
    hooks,
    isActive: () => true,
    baseUrl: 'https://portal.example.test',
    logger: console,
    admins: { current: () => undefined },
    urls: { login: '/login', home: '/', signOut: { href: '/logout', method: 'POST' } },
  });
  await m.activate();

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: crypto.randomBytes(32).toString('hex'), resave: false, saveUninitialized: false }));
  app.use((req, _res, next) => {
    if (!req.session.userId) return next();
    findUser({ id: req.session.userId }).then((user) => {
      req.user = user;
      next();
    }, next);
  });

  // The portal's own sign-in, with its own field names: the module only links here with returnTo.
  app.get('/login', (req, res) =>
    res.send(
      '<form method="post"><label>User name <input name="username"></label>' +
        '<label>Password <input name="password" type="password"></label>' +
        `<input type="hidden" name="returnTo" value="${esc(req.query.returnTo ?? '')}"><button>Sign in</button></form>`,
    ),
  );
  app.post('/login', async (req, res, next) => {
    try {
      const row = await db('users')
        .where({
          email: String(req.body.username ?? '')
            .trim()
            .toLowerCase(),
        })
        .first();
      if (!row || !verify(String(req.body.password ?? ''), row.password))
        return res.status(401).send('Wrong e-mail or password.');
      res.redirect(303, await signIn(req, toUser(row), safeReturnPath(req.body.returnTo)));
    } catch (err) {
      next(err);
    }
  });
  app.post('/logout', (req, res, next) =>
    req.session.destroy((err) => (err ? next(err) : res.redirect(303, '/login'))),
  );

  const page = (title) => (req, res) => res.send(`<h1>${esc(title)}</h1><p>${esc(m.accountOf(req).name)}</p>`);
  app.get('/', m.requirePermission(null), page('Home'));
  app.get('/invoices', m.requirePermission('invoices'), page('Invoices'));
  app.get('/tickets', m.requirePermission('tickets'), page('Tickets'));
  app.use('/account', m.client);

  const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
    console.log(`listening on ${server.address().port}`),
  );
  process.on('SIGTERM', () => server.close(() => db.destroy()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
