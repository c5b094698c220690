const express = require('express');

/** The name WHMCS shows for a client: the company, else the contact's full name. */
const clientName = (row) => row.companyname || `${row.firstname} ${row.lastname}`.trim();

/** The client area's pages, each with the permission a user needs for it (null: any user). */
const ACTIONS = {
  '': { permission: null, view: 'clientarea', title: 'Client Area' },
  services: { permission: 'products', view: 'services', title: 'My Services' },
  invoices: { permission: 'invoices', view: 'invoices', title: 'My Invoices' },
};

function clientArea({ knex, layout, access, allowedIds }) {
  const r = express.Router();

  r.get('/', (_req, res) => res.redirect('/clientarea.php'));

  r.get(
    '/clientarea.php',
    (req, res, next) => {
      const action = ACTIONS[String(req.query.action ?? '')];
      if (!action) return next('route');
      res.locals.action = action;
      return access(action.permission)(req, res, next);
    },
    async (req, res) => {
      const { action, client } = res.locals;
      // Each page, the dashboard's cards included, reads only what the user may see: of the
      // services, only those the user's access is narrowed to (null: every one).
      const serviceIds = await allowedIds(req, 'products');
      const [services, invoices] = await Promise.all([
        action.view !== 'invoices' && client.can('products')
          ? knex('tblhosting')
              .where('userid', client.id)
              .modify((q) => serviceIds && q.whereIn('id', serviceIds))
              .orderBy('id')
          : [],
        action.view !== 'services' && client.can('invoices')
          ? knex('tblinvoices').where('userid', client.id).orderBy('id', 'desc')
          : [],
      ]);
      await layout.page(req, res, action.view, { title: action.title, services, invoices });
    },
  );

  r.get('/no-client', (req, res) => {
    if (!req.user) return res.redirect('/login');
    return layout.page(req, res, 'no-client', { title: 'No client account' }, 403);
  });

  return r;
}

/**
 * Who may open which client. The portal's own rule: the owner of an active client, alone, with
 * everything. An addon may take client access over (`slot.provider`) while it is switched on,
 * and narrow it to chosen services (`slot.provider.allowedIds`).
 */
function createAccess({ knex, layout }) {
  const slot = { provider: undefined };
  async function ownClientOf(userId) {
    const row = await knex('tblclients').where({ owner_user_id: userId, status: 'Active' }).orderBy('id').first();
    return row && { id: Number(row.id), name: clientName(row), can: () => true };
  }
  const providerActive = async () => Boolean(slot.provider && (await slot.provider.active()));

  /** Middleware: sets res.locals.client, or answers itself (sign-in, no client, no permission). */
  const access = (permission) => async (req, res, next) => {
    if (!req.user) return res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
    if (await providerActive()) return slot.provider.guard(permission)(req, res, next);
    const client = await ownClientOf(req.user.id);
    if (!client) return layout.page(req, res, 'no-client', { title: 'No client account' }, 403);
    res.locals.client = client;
    next();
  };

  /** The ids of the items of `kind` (`products`: services) the user may see after `access`; null: every one. */
  const allowedIds = async (req, kind) =>
    (await providerActive()) && slot.provider.allowedIds ? slot.provider.allowedIds(req, kind) : null;

  return { slot, access, allowedIds, ownClientOf, providerActive };
}

module.exports = { clientArea, createAccess, clientName };
