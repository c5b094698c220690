const express = require('express');
const { verifyPassword, DUMMY_HASH } = require('./passwords');
const { checkCsrf, safeReturnPath, sessionStep } = require('./security');

const USER_COLUMNS = ['id', 'email', 'first_name', 'last_name', 'language'];

/** Loads the signed-in user (a tblusers row without the password) as req.user. */
function loadUser(knex) {
  return async (req, _res, next) => {
    try {
      const id = req.session?.userId;
      req.user = id ? await knex('tblusers').where('id', id).first(USER_COLUMNS) : undefined;
      if (req.user) req.user.id = Number(req.user.id);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The portal's one sign-in step, for its login form and for anyone else who signs a user in: a new
 * session (no fixation), the login time, then UserLogin, whose listeners may set `redirect`.
 */
function createSignIn(knex, hooks) {
  return async function signIn(req, userId, returnTo) {
    await sessionStep(req, 'regenerate');
    req.session.userId = Number(userId);
    await knex('tblusers').where('id', userId).update({ last_login: Date.now() });
    req.user = await knex('tblusers').where('id', userId).first(USER_COLUMNS);
    req.user.id = Number(req.user.id);
    const payload = { user: req.user, req, returnTo: safeReturnPath(returnTo) };
    await hooks.emit('UserLogin', payload);
    await sessionStep(req, 'save');
    return payload.redirect ?? payload.returnTo;
  };
}

function authRoutes({ knex, layout, signIn, ownClientOf, clientAccessActive }) {
  const r = express.Router();
  const showLogin = (req, res, status = 200, error) =>
    layout.page(
      req,
      res,
      'login',
      {
        title: 'Login',
        error,
        username: typeof req.body?.username === 'string' ? req.body.username.slice(0, 254) : '',
        returnTo: safeReturnPath(req.query.returnTo ?? req.body?.returnTo) ?? '',
      },
      status,
    );

  r.get('/login', (req, res) =>
    req.user ? res.redirect(safeReturnPath(req.query.returnTo) ?? '/clientarea.php') : showLogin(req, res),
  );

  r.post('/login', checkCsrf, async (req, res) => {
    const username = String(req.body.username ?? '')
      .trim()
      .toLowerCase()
      .slice(0, 254);
    const row = username ? await knex('tblusers').where('email', username).first('id', 'password') : undefined;
    const ok = await verifyPassword(String(req.body.password ?? '').slice(0, 1024), row?.password ?? DUMMY_HASH);
    if (!ok || !row) return showLogin(req, res, 401, 'Login details incorrect. Please try again.');
    let target = await signIn(req, row.id, req.body.returnTo);
    // Without an addon deciding, only the owner of an active client may use the client area.
    if (!(await clientAccessActive()) && !(await ownClientOf(req.user.id))) target = '/no-client';
    res.redirect(303, target ?? '/clientarea.php');
  });

  r.post('/logout', checkCsrf, async (req, res) => {
    await sessionStep(req, 'destroy');
    res.clearCookie('whmcs.sid');
    res.redirect(303, '/login');
  });

  return r;
}

module.exports = { authRoutes, loadUser, createSignIn };
