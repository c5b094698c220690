// @ts-check
const { hashPassword } = require('../passwords');
const { clientName } = require('../client-area');

// WHMCS language names and the BCP 47 tags of the module's locales.
const LOCALES = { english: 'en', german: 'de', french: 'fr', spanish: 'es', dutch: 'nl', 'portuguese-br': 'pt-BR' };
const toLanguage = (locale) => Object.keys(LOCALES).find((name) => LOCALES[name] === locale) ?? '';
const USER_COLUMNS = ['id', 'email', 'first_name', 'last_name', 'language'];
/** @typedef {import('express').Request & { user?: Record<string, any>, admin?: Record<string, any> }} PortalRequest
 * the portal's own req.user and req.admin */
const toHostUser = (row) =>
  row && {
    id: Number(row.id),
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    locale: LOCALES[row.language],
  };

/** The client's name as WHMCS shows it (company, else first and last name), in each dialect. */
function nameSql(knex) {
  const fullName = /mysql/.test(knex.client.config.client)
    ? "CONCAT({a}.firstname, ' ', {a}.lastname)"
    : "{a}.firstname || ' ' || {a}.lastname";
  return `COALESCE(NULLIF({a}.companyname, ''), ${fullName})`;
}

/** @returns {import('account-users').HostContract} WHMCS's tables, users, clients, mail, hooks and pages. */
function hostContract(portal, isActive) {
  const { knex } = portal;
  const user = async (where) => toHostUser(await knex('tblusers').where(where).first(USER_COLUMNS));
  return {
    knex,
    schema: {
      users: { table: 'tblusers', id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' },
      accounts: {
        table: 'tblclients',
        id: 'id',
        name: { sql: nameSql(knex) },
        status: 'status',
        openStatuses: ['Active'],
      },
    },
    users: {
      findById: (id) => user({ id }),
      findByEmail: (email) => user({ email: email.trim().toLowerCase() }),
      async create({ email, firstName, lastName, password, locale }) {
        const row = {
          email: email.trim().toLowerCase(),
          password: await hashPassword(password),
          first_name: firstName,
          last_name: lastName,
          language: toLanguage(locale),
        };
        const [id] = await knex('tblusers').insert(row);
        return user({ id: Number(id) });
      },
      displayName: (u) => `${u.firstName} ${u.lastName}`.trim() || u.email,
      fromRequest: (/** @type {PortalRequest} */ req) => toHostUser(req.user),
      // The portal's own sign-in step: new session, last_login, and its UserLogin hook.
      signIn: (req, u, returnTo) => portal.signIn(req, u.id, returnTo),
    },
    accounts: {
      async findByIds(ids) {
        const rows = await knex('tblclients')
          .whereIn('id', ids)
          .select('id', 'companyname', 'firstname', 'lastname', 'status');
        return rows.map((row) => ({ id: Number(row.id), name: clientName(row), status: row.status }));
      },
      primaryUsers: async () =>
        (await knex('tblclients').select('id', 'owner_user_id')).map((row) => ({
          accountId: Number(row.id),
          userId: Number(row.owner_user_id),
        })),
      primaryUserOf: async (id) => {
        const row = await knex('tblclients').where('id', id).first('owner_user_id');
        return row ? Number(row.owner_user_id) : undefined;
      },
      primaryAccountsOf: async (userId) =>
        (await knex('tblclients').where('owner_user_id', userId).pluck('id')).map(Number),
      // Switch Account's second line: the first active service domain, else the contact's name or e-mail.
      async describe(ids) {
        const first = knex('tblhosting')
          .whereIn('userid', ids)
          .andWhere('domainstatus', 'Active')
          .andWhere('domain', '<>', '')
          .groupBy('userid')
          .min('id');
        const lines = new Map(
          (await knex('tblhosting').whereIn('id', first).select('userid', 'domain')).map(
            (r) => /** @type {[number, string]} */ ([Number(r.userid), String(r.domain)]),
          ),
        );
        const rest = await knex('tblclients')
          .whereIn(
            'id',
            ids.filter((id) => !lines.has(id)),
          )
          .select('id', 'companyname', 'firstname', 'lastname', 'email');
        for (const c of rest)
          lines.set(Number(c.id), (c.companyname && `${c.firstname} ${c.lastname}`.trim()) || c.email);
        return lines;
      },
    },
    mailer: portal.mailer,
    hooks: portal.hooks,
    isActive,
    baseUrl: portal.baseUrl,
    logger: portal.logger,
    admins: {
      current: (/** @type {PortalRequest} */ req) =>
        req.admin && { id: req.admin.id, name: `${req.admin.firstname} ${req.admin.lastname}` },
    },
    urls: {
      login: '/login',
      home: '/clientarea.php',
      signOut: { href: '/logout', method: 'POST', fields: (req) => ({ _csrf: portal.csrfTokenOf(req) }) },
    },
    // The layout is async and the module does not wait for it: its failure goes to Express.
    renderPage: (req, res, page) => void portal.layout.frame(req, res, page).catch(req.next),
  };
}

module.exports = { hostContract };
