const path = require('node:path');
const express = require('express');
const session = require('express-session');
const { ConnectSessionKnexStore } = require('connect-session-knex');
const { Hooks } = require('./hooks');
const { Addons } = require('./addons');
const { createMailer } = require('./mailer');
const { createLayout } = require('./layout');
const { csrfToken, csrfTokenOf } = require('./security');
const { authRoutes, loadUser, createSignIn } = require('./auth');
const { clientArea, createAccess } = require('./client-area');
const { adminArea, loadAdmin, requireAdmin } = require('./admin');
const { mountAccountUsers } = require('./account-users');

const consoleLogger = {
  info: (msg, meta) => console.log(msg, meta ?? ''),
  warn: (msg, meta) => console.warn(msg, meta ?? ''),
  error: (msg, meta) => console.error(msg, meta ?? ''),
};

/** Builds the portal with its addons mounted; it does not listen (server.js does). */
async function createPortal({ knex, baseUrl, sessionSecret, mailDir, logger = consoleLogger }) {
  const app = express();
  const hooks = new Hooks(logger);
  const addons = new Addons(knex);
  const layout = createLayout(hooks);
  const access = createAccess({ knex, layout });
  const signIn = createSignIn(knex, hooks);
  const mailer = createMailer({ mailDir, logger });

  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const bootstrapCss = path.join(path.dirname(require.resolve('bootstrap/package.json')), 'dist', 'css');
  app.use('/assets/bootstrap', express.static(bootstrapCss, { maxAge: '1d' }));
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 }));
  app.use(
    session({
      name: 'whmcs.sid',
      secret: sessionSecret,
      store: new ConnectSessionKnexStore({ knex, tableName: 'sessions', createTable: false, cleanupInterval: 0 }),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 8 * 3600_000 },
    }),
  );
  app.use(loadUser(knex), loadAdmin(knex), csrfToken);

  const portal = {
    app,
    knex,
    hooks,
    addons,
    layout,
    access,
    signIn,
    mailer,
    baseUrl,
    logger,
    requireAdmin,
    csrfTokenOf,
  };
  await mountAccountUsers(portal);

  app.use(
    authRoutes({ knex, layout, signIn, ownClientOf: access.ownClientOf, clientAccessActive: access.providerActive }),
  );
  app.use(clientArea({ knex, layout, access: access.access, allowedIds: access.allowedIds }));
  app.use('/admin', adminArea({ knex, layout, hooks, addons }));

  const areaOf = (req) => (req.originalUrl.startsWith('/admin') ? 'admin/' : '');
  app.use((req, res) =>
    layout.page(
      req,
      res,
      `${areaOf(req)}error`,
      { title: 'Not found', message: 'The page you asked for does not exist.' },
      404,
    ),
  );
  app.use((err, req, res, _next) => {
    const status = err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error('request failed', { url: req.originalUrl, err: err.stack });
    if (res.headersSent) return;
    const message =
      err.publicMessage ?? (status === 500 ? 'Something went wrong on our side.' : 'The request could not be handled.');
    layout
      .page(req, res, `${areaOf(req)}error`, { title: 'Error', message }, status)
      .catch(() => res.status(status).type('text').send(message));
  });
  return portal;
}

module.exports = { createPortal };
