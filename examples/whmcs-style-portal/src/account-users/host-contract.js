// @ts-check
const { hashPassword, verifyPassword: matches } = require('../passwords');
const { clientName } = require('../client-area');
const { localeOf, languageOf, nameSql } = require('../whmcs-names');
const USER_COLUMNS = ['id', 'email', 'first_name', 'last_name', 'language'];
const ACCOUNT_COLUMNS = ['id', 'companyname', 'firstname', 'lastname', 'status'];
const CONTACT_COLUMNS = ['id', 'companyname', 'firstname', 'lastname', 'email'];
const toAccount = (row) => ({ id: Number(row.id), name: clientName(row), status: row.status });
/** @typedef {import('express').Request & { user?: Record<string, any>, admin?: Record<string, any> }} PortalRequest */
const toHostUser = (r) =>
  r && { id: +r.id, email: r.email, firstName: r.first_name, lastName: r.last_name, locale: localeOf(r.language) };

/** @returns {import('account-users').HostContract} WHMCS's tables, users, clients, mail, hooks and pages. */
function hostContract(portal, isActive) {
  const { knex, mailer, hooks, baseUrl, logger } = portal;
  const user = async (where) => toHostUser(await knex('tblusers').where(where).first(USER_COLUMNS));
  const clients = () => knex('tblclients');
  const fields = (req) => ({ _csrf: portal.csrfTokenOf(req) });
  return {
    ...{ knex, mailer, hooks, isActive, baseUrl, logger },
    schema: {
      users: { table: 'tblusers', id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' },
      accounts: { table: 'tblclients', id: 'id', name: nameSql(knex), status: 'status', openStatuses: ['Active'] },
    },
    users: {
      findById: (id) => user({ id }),
      findByEmail: (email) => user({ email: email.trim().toLowerCase() }),
      async create({ email, firstName, lastName, password, locale }) {
        const hash = await hashPassword(password);
        const row = { email: email.trim().toLowerCase(), first_name: firstName, last_name: lastName, password: hash };
        const [id] = await knex('tblusers').insert({ ...row, language: languageOf(locale) });
        return user({ id: Number(id) });
      },
      displayName: (u) => `${u.firstName} ${u.lastName}`.trim() || u.email,
      fromRequest: (/** @type {PortalRequest} */ req) => toHostUser(req.user),
      // The portal's own sign-in step: new session, last_login, and its UserLogin hook.
      signIn: (req, u, returnTo) => portal.signIn(req, u.id, returnTo),
      verifyPassword: async (id, pw) => matches(pw, (await knex('tblusers').where({ id }).first('password'))?.password),
    },
    accounts: {
      findByIds: async (ids) => (await clients().whereIn('id', ids).select(ACCOUNT_COLUMNS)).map(toAccount),
      primaryUsers: async () =>
        (await clients().select('id', 'owner_user_id')).map((r) => ({ accountId: +r.id, userId: +r.owner_user_id })),
      primaryUserOf: async (id) => (await clients().where('id', id).pluck('owner_user_id')).map(Number)[0],
      primaryAccountsOf: async (userId) => (await clients().where('owner_user_id', userId).pluck('id')).map(Number),
      // Switch Account's second line: the first active service domain, else the contact's name or e-mail.
      async describe(ids) {
        const services = () => knex('tblhosting').whereIn('userid', ids);
        const firstIds = services().andWhere({ domainstatus: 'Active' }).andWhere('domain', '<>', '').groupBy('userid');
        const first = await services().whereIn('id', firstIds.min('id')).select('userid', 'domain');
        const lines = new Map(first.map((r) => /** @type {[number, string]} */ ([Number(r.userid), String(r.domain)])));
        const unnamed = ids.filter((id) => !lines.has(id));
        const rest = await clients().whereIn('id', unnamed).select(CONTACT_COLUMNS);
        for (const c of rest) lines.set(+c.id, (c.companyname && `${c.firstname} ${c.lastname}`.trim()) || c.email);
        return lines;
      },
      // The services a member's access can be narrowed to; this portal keeps no domains.
      async resources(accountId, kind) {
        if (kind !== 'products') return [];
        const rows = await knex('tblhosting')
          .where('userid', accountId)
          .orderBy('id')
          .select('id', 'product', 'domain');
        return rows.map((r) => ({ id: +r.id, label: r.domain ? `${r.product} (${r.domain})` : r.product }));
      },
    },
    admins: {
      current: (/** @type {PortalRequest} */ req) =>
        req.admin && { id: req.admin.id, name: `${req.admin.firstname} ${req.admin.lastname}` },
    },
    urls: { login: '/login', home: '/clientarea.php', signOut: { href: '/logout', method: 'POST', fields } },
    // The layout is async and the module does not wait for it: its failure goes to Express.
    renderPage: (req, res, page) => void portal.layout.frame(req, res, page).catch(req.next),
  };
}

module.exports = { hostContract };
