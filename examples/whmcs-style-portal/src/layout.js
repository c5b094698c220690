const path = require('node:path');
const ejs = require('ejs');

const VIEWS = path.join(__dirname, '..', 'views');

/** The portal's own menus; addons change them through ClientAreaNavbar and AdminNavbar. */
const clientMenu = () => [
  { id: 'home', label: 'Home', href: '/clientarea.php', order: 10 },
  { id: 'services', label: 'Services', href: '/clientarea.php?action=services', permission: 'products', order: 20 },
  { id: 'invoices', label: 'Invoices', href: '/clientarea.php?action=invoices', permission: 'invoices', order: 30 },
];
const adminMenu = () => [
  { id: 'clients', label: 'Clients', href: '/admin/clients', order: 10 },
  { id: 'add-client', label: 'Add client', href: '/admin/clients/add', order: 20 },
  { id: 'modules', label: 'Addon modules', href: '/admin/modules', order: 30 },
];

/** Messages kept in the session for the next page (after a redirect). */
function flash(req, type, text) {
  req.session.flash = [...(req.session.flash ?? []), { type, text }];
}

function takeFlash(req) {
  const messages = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  return messages;
}

function createLayout(hooks) {
  /** Wraps a page body in the Bootstrap layout of the client or admin area. */
  async function frame(req, res, { title, body, status = 200, area = 'client', messages: given = [] }) {
    const messages = [...takeFlash(req), ...given];
    let primary = [];
    let account = [];
    if (area === 'admin' && req.admin) {
      primary = adminMenu();
      await hooks.emit('AdminNavbar', { menu: primary, req, res });
    } else if (req.user) {
      primary = clientMenu();
      await hooks.emit('ClientAreaNavbar', { primary, account, req, res });
      // Every client area page: addons may add their own messages for this request.
      await hooks.emit('ClientAreaPage', { req, res, messages });
    }
    const byOrder = (a, b) => (a.order ?? 0) - (b.order ?? 0);
    const html = await ejs.renderFile(path.join(VIEWS, 'layout.ejs'), {
      title,
      body,
      area,
      primary: primary.sort(byOrder),
      account: account.sort(byOrder),
      messages,
      user: req.user,
      admin: req.admin,
      client: res.locals.client,
      csrfToken: res.locals.csrfToken,
      current: req.originalUrl,
    });
    res.status(status).type('html').send(html);
  }

  /** Renders one of the portal's views into the layout. */
  async function page(req, res, view, data, status = 200) {
    const body = await ejs.renderFile(path.join(VIEWS, `${view}.ejs`), {
      csrfToken: res.locals.csrfToken,
      client: res.locals.client,
      ...data,
    });
    await frame(req, res, { title: data.title, body, status, area: view.startsWith('admin/') ? 'admin' : 'client' });
  }

  return { frame, page };
}

module.exports = { createLayout, flash };
