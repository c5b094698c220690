const express = require('express');
const { verifyPassword, hashPassword, DUMMY_HASH } = require('./passwords');
const { checkCsrf, sessionStep } = require('./security');
const { clientName } = require('./client-area');
const { flash } = require('./layout');

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Loads the staff member signed in to the admin area as req.admin. */
function loadAdmin(knex) {
  return async (req, _res, next) => {
    const id = req.session?.adminId;
    req.admin = id
      ? await knex('tbladmins').where('id', id).first('id', 'username', 'firstname', 'lastname')
      : undefined;
    if (req.admin) req.admin.id = Number(req.admin.id);
    next();
  };
}

const requireAdmin = (req, res, next) =>
  req.admin ? next() : res.redirect(`/admin/login?returnTo=${encodeURIComponent(req.originalUrl)}`);

/** The staff's area: its own login, the client list, adding a client, and the addon modules. */
function adminArea({ knex, layout, hooks, addons }) {
  const r = express.Router();

  const showLogin = (req, res, status = 200, error) =>
    layout.page(
      req,
      res,
      'admin/login',
      { title: 'Staff login', error, username: String(req.body?.username ?? '').slice(0, 64) },
      status,
    );
  r.get('/login', (req, res) => (req.admin ? res.redirect('/admin/clients') : showLogin(req, res)));
  r.post('/login', checkCsrf, async (req, res) => {
    const row = await knex('tbladmins')
      .where(
        'username',
        String(req.body.username ?? '')
          .trim()
          .slice(0, 64),
      )
      .first('id', 'password');
    const ok = await verifyPassword(String(req.body.password ?? '').slice(0, 1024), row?.password ?? DUMMY_HASH);
    if (!ok || !row) return showLogin(req, res, 401, 'Login details incorrect.');
    // A client area sign-in in the same browser survives; the session id changes (no fixation).
    const userId = req.session.userId;
    await sessionStep(req, 'regenerate');
    Object.assign(req.session, { adminId: Number(row.id), userId });
    res.redirect(303, '/admin/clients');
  });
  r.post('/logout', requireAdmin, checkCsrf, async (req, res) => {
    delete req.session.adminId;
    res.redirect(303, '/admin/login');
  });

  r.get('/', requireAdmin, (_req, res) => res.redirect('/admin/clients'));

  r.get('/clients', requireAdmin, async (req, res) => {
    const rows = await knex('tblclients as c')
      .join('tblusers as u', 'u.id', 'c.owner_user_id')
      .select('c.*', 'u.email as owner_email')
      .orderBy('c.id');
    const clients = rows.map((row) => ({ ...row, name: clientName(row) }));
    await layout.page(req, res, 'admin/clients', { title: 'Clients', clients });
  });

  const showAdd = (req, res, status = 200, errors = {}) =>
    layout.page(req, res, 'admin/client-add', { title: 'Add client', values: req.body ?? {}, errors }, status);
  r.get('/clients/add', requireAdmin, (req, res) => showAdd(req, res));
  r.post('/clients/add', requireAdmin, checkCsrf, async (req, res) => {
    const v = Object.fromEntries(
      ['companyname', 'firstname', 'lastname', 'email', 'password'].map((k) => [k, String(req.body[k] ?? '').trim()]),
    );
    v.email = v.email.toLowerCase();
    const errors = {};
    if (!v.firstname || v.firstname.length > 100) errors.firstname = 'Enter a first name.';
    if (!v.lastname || v.lastname.length > 100) errors.lastname = 'Enter a last name.';
    if (v.companyname.length > 200) errors.companyname = 'At most 200 characters.';
    if (!EMAIL.test(v.email) || v.email.length > 254) errors.email = 'Enter a valid e-mail address.';
    else if (await knex('tblusers').where('email', v.email).first('id'))
      errors.email = 'A user with this e-mail address exists already.';
    if (v.password.length < 8 || v.password.length > 1024) errors.password = 'At least 8 characters.';
    if (Object.keys(errors).length > 0) return showAdd(req, res, 422, errors);
    const password = await hashPassword(v.password);
    // The client and its owner user are written together or not at all.
    const clientId = await knex.transaction(async (trx) => {
      const [userId] = await trx('tblusers').insert({
        email: v.email,
        password,
        first_name: v.firstname,
        last_name: v.lastname,
        language: '',
      });
      const [id] = await trx('tblclients').insert({
        companyname: v.companyname,
        firstname: v.firstname,
        lastname: v.lastname,
        email: v.email,
        status: 'Active',
        owner_user_id: userId,
        datecreated: Date.now(),
      });
      return Number(id);
    });
    await hooks.emit('ClientAdd', { client_id: clientId });
    flash(req, 'success', `Client #${clientId} added.`);
    res.redirect(303, '/admin/clients');
  });

  r.get('/modules', requireAdmin, async (req, res) => {
    const modules = await Promise.all(addons.list.map(async (a) => ({ ...a, active: await addons.isActive(a.id) })));
    await layout.page(req, res, 'admin/modules', { title: 'Addon modules', modules });
  });
  r.post('/modules/:id/:step', requireAdmin, checkCsrf, async (req, res, next) => {
    const addon = addons.find(req.params.id);
    const step = req.params.step;
    if (!addon || !['activate', 'deactivate'].includes(step)) return next();
    const result = await addon[step]();
    if (result.status === 'success') await addons.setActive(addon.id, step === 'activate');
    flash(req, result.status === 'success' ? 'success' : 'danger', result.description || `${addon.name}: ${step}d.`);
    res.redirect(303, '/admin/modules');
  });

  return r;
}

module.exports = { adminArea, loadAdmin, requireAdmin };
