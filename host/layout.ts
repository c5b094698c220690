import type { Request, Response } from 'express';
import { i18n, type AccountContext, type AccountUsersModule, type HostUser, type PageOptions } from '../module/index';
import type { Hooks } from './hook-registry';
import { adminMenu, clientMenus } from './navigation';

const { translator, formatDate, formatDateTime, availableLocales, nativeName, hasKey, intl } = i18n;

/** The cookie holding a visitor's choice from the language picker (signed in or not). */
export const VISITOR_LOCALE_COOKIE = 'portal.lang';

/** The language of a page: the user's saved choice, the visitor's picker choice, Accept-Language, the default. */
export function localeOf(req: Request): string {
  return i18n.resolveLocale(
    req,
    (req.user as HostUser | undefined)?.locale,
    i18n.visitorLocale(req, VISITOR_LOCALE_COOKIE),
  );
}

/** Values every host view gets: the translator, formatting in the reader's locale, the CSRF token. */
export function viewLocals(req: Request, res: Response) {
  const locale = localeOf(req);
  const timeZone = (res.locals.timeZone as string) ?? 'UTC';
  const t = translator(locale);
  return {
    t,
    // Statuses, billing cycles and departments are stored in English; shown in the reader's language
    // when the portal's catalogue knows the word ("Cancellation Requested" → hostValue.cancellationRequested).
    value: (raw: string | number | null | undefined) => {
      const text = String(raw ?? '');
      const key = `hostValue.${text
        .replace(/^[^A-Za-z0-9]+/, '')
        .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))
        .replace(/^./, (c) => c.toLowerCase())}`;
      return hasKey(key) ? t(key) : text;
    },
    locale,
    locales: availableLocales(),
    // The picker names each language in itself, so anyone can find theirs whatever the page shows.
    languages: availableLocales().map((code) => ({ code, name: nativeName(code) })),
    // After choosing a language the picker comes back here; a form's POST address may not answer GET.
    returnTo: req.method === 'GET' ? req.originalUrl : '/',
    // A token lives in the session: a visitor who only reads pages gets none, so nothing is stored for them.
    csrfToken: typeof req.csrfToken === 'function' && holdsSession(req) ? req.csrfToken() : '',
    user: req.user as HostUser | undefined,
    account: res.locals.account as AccountContext | undefined,
    // Calendar dates kept as "YYYY-MM-DD" are days, not instants: shown as written, in the reader's locale.
    date: (ms: number | string) =>
      typeof ms !== 'string'
        ? formatDate(locale, ms, timeZone)
        : /^\d{4}-\d{2}-\d{2}$/.test(ms)
          ? formatDate(locale, Date.parse(`${ms}T00:00:00Z`), 'UTC')
          : ms,
    dateTime: (ms: number) => formatDateTime(locale, ms, timeZone),
    money: (cents: number) =>
      intl(`money|${locale}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' })).format(
        cents / 100,
      ),
    path: req.path,
    url: req.originalUrl,
  };
}

/** The portal's messages, translated, shown once; the module's come with its page or from messagesOf. */
function takeFlash(req: Request, t: (key: string, params?: Record<string, unknown>) => string) {
  const messages = (req.session?.hostFlash ?? []).map((m) => ({ type: m.type, text: t(m.key, m.params) }));
  if (messages.length && req.session) delete req.session.hostFlash;
  return messages;
}

/** Messages kept for the next page; capped like the module's, so repeated posts cannot grow the session. */
export const HOST_FLASH_MAX = 5;

const SIGN_IN_VIEWS = new Set(['login', 'admin/login']);

/** Signed in, or already holding a form token: a session exists (or is wanted) for this browser. */
export function holdsSession(req: Request): boolean {
  const session = req.session as (typeof req.session & { csrfToken?: string }) | undefined;
  return Boolean(req.user || session?.admin || session?.csrfToken);
}

export function hostFlash(req: Request, type: string, key: string, params?: Record<string, unknown>): void {
  if (req.session)
    req.session.hostFlash = [...(req.session.hostFlash ?? []), { type, key, params }].slice(-HOST_FLASH_MAX);
}

/**
 * Wraps a page body in the layout. The client menus are built here and passed through the
 * ClientAreaNavbar hook, so modules add, reorder and hide items; the admin menu likewise.
 */
export function createLayout(
  hooks: Hooks,
  views: { render(view: string, data: object, cb: (err: Error | null, html: string) => void): void },
) {
  // Always the portal's own views, also when called from a module's sub-app with views of its own.
  const render = (view: string, data: object) =>
    new Promise<string>((resolve, reject) =>
      views.render(view, data, (err, html) => (err ? reject(err) : resolve(html))),
    );

  // The module's waiting messages, for the portal's own pages (set once the module exists).
  let moduleMessages: AccountUsersModule['messagesOf'] = () => [];

  async function wrap(
    req: Request,
    res: Response,
    page: Omit<PageOptions, 'area' | 'messages'> & Partial<PageOptions>,
  ): Promise<void> {
    const locals = viewLocals(req, res);
    const admin = page.area ? page.area === 'admin' : req.originalUrl.startsWith('/admin');
    let primary = [] as ReturnType<typeof clientMenus>['primary'];
    let accountMenu = [] as ReturnType<typeof clientMenus>['account'];
    if (admin) {
      if (req.session?.admin) {
        primary = adminMenu(locals.t);
        await hooks.emit('AdminNavbar', { menu: primary, req });
        primary.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
      }
    } else if (req.user && res.locals.account) {
      const menus = clientMenus(locals.t);
      await hooks.emit('ClientAreaNavbar', { primary: menus.primary, account: menus.account, req, res });
      primary = menus.primary.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
      accountMenu = menus.account;
    }
    const html = await render('layout', {
      ...locals,
      // An error page sends the picker home: the same address would only fail again.
      returnTo: (page.status ?? 200) < 400 ? locals.returnTo : '/',
      admin,
      title: page.title,
      body: page.body,
      primary,
      accountMenu,
      signedInAdmin: req.session?.admin,
      flash: [...takeFlash(req, locals.t), ...(page.messages ?? moduleMessages(req))],
    });
    res
      .status(page.status ?? 200)
      .type('html')
      .send(html);
  }

  /** Renders a host view into the layout; `title` is a key of the portal's catalogue or the module's. */
  async function page(
    req: Request,
    res: Response,
    view: string,
    data: Record<string, unknown> & { title: string },
    status = 200,
  ): Promise<void> {
    // The sign-in forms are where a visitor's session starts.
    if (SIGN_IN_VIEWS.has(view) && typeof req.csrfToken === 'function') req.csrfToken();
    const locals = viewLocals(req, res);
    const body = await render(view, { ...locals, ...data });
    await wrap(req, res, { title: locals.t(data.title, data.titleParams as Record<string, unknown>), body, status });
  }

  /** The portal's 404 page: an id that is not the account's own gets the same answer as one that does not exist. */
  const notFound = (req: Request, res: Response): Promise<void> =>
    page(req, res, 'error', { title: 'errors.notFoundTitle', message: 'errors.notFound' }, 404);

  return {
    wrap,
    page,
    notFound,
    showModuleMessages(fn: AccountUsersModule['messagesOf']) {
      moduleMessages = fn;
    },
    /** For the module: its rendered body inside this layout; errors go to Express's handler. */
    renderPage(req: Request, res: Response, p: PageOptions): void {
      wrap(req, res, p).catch((err) => req.next?.(err));
    },
  };
}
