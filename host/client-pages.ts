import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Knex } from 'knex';
import {
  hasControlCharacters,
  i18n,
  safeReturnPath,
  type AccountContext,
  type GuardOptions,
  type HostUser,
  type ResourceKind,
} from '../module/index';
import type { createLayout } from './layout';
import { hostFlash, VISITOR_LOCALE_COOKIE } from './layout';
import { hashPassword, oneAtATime, verifyPassword } from './passwords';
import { failuresPerLogin, loginLimiter } from './auth';
import { generateToken } from './csrf';
import { COUNTRY_CODES } from './countries';
import { formField } from './form';

type Layout = ReturnType<typeof createLayout>;
type Guard = (key: string | null, options?: GuardOptions) => RequestHandler[];
/** The ids of the services or domains the member may see (null: all), from the module. */
type Allowed = (req: Request, kind: ResourceKind) => Promise<number[] | null>;

function accountId(res: Response): number {
  return (res.locals.account as AccountContext).id;
}

function text(body: unknown, name: string, max: number): string {
  return formField(body, name).trim().slice(0, max);
}

const LOCALE_COOKIE = { httpOnly: true, sameSite: 'lax' as const, maxAge: 365 * 24 * 3600_000, path: '/' };

function rowId(value: unknown): number | undefined {
  return typeof value === 'string' && /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : undefined;
}

/**
 * The client area's own pages. Each is guarded by its permission; actions inside a page by the
 * stronger key (viewing services is `products`, asking to cancel one is `manageproducts`).
 */
export function clientPages(deps: { knex: Knex; layout: Layout; guard: Guard; allowed: Allowed }): express.Router {
  const { knex, layout, guard, allowed } = deps;
  const r = express.Router();
  const KIND = { services: 'products', domains: 'domains' } as const;

  /**
   * The account's own rows of a table, only the chosen ones for a member whose access is narrowed
   * to some (`ids`, from `allowed`; null: all).
   */
  const ownRows = (res: Response, table: 'services' | 'domains', ids: number[] | null) => {
    const q = knex(table).where('account_id', accountId(res));
    return ids ? q.whereIn('id', ids) : q;
  };

  /** A list of the account's own services or domains; its actions are shown to those who may use them. */
  const listOf =
    (table: 'services' | 'domains', orderBy: string, manage: string): RequestHandler =>
    async (req, res) => {
      const rows = await ownRows(res, table, await allowed(req, KIND[table])).orderBy(orderBy);
      const canManage = (res.locals.account as AccountContext).can(manage);
      await layout.page(req, res, table, { title: `${table}.title`, rows, canManage });
    };

  r.get('/', ...guard(null), async (req, res) => {
    const id = accountId(res);
    const account = res.locals.account as AccountContext;
    const count = async (table: string, where: Record<string, unknown> = {}) =>
      Number(
        (
          (await (
            table === 'services' || table === 'domains'
              ? ownRows(res, table, await allowed(req, KIND[table]))
              : knex(table)
          )
            .where({ account_id: id, ...where })
            .count({ n: '*' })
            .first()) as { n: number }
        ).n,
      );
    const tiles = [
      {
        key: 'products',
        label: 'dashboard.services',
        href: '/services',
        value: account.can('products') ? await count('services', { status: 'Active' }) : null,
      },
      {
        key: 'domains',
        label: 'dashboard.domains',
        href: '/domains',
        value: account.can('domains') ? await count('domains') : null,
      },
      {
        key: 'invoices',
        label: 'dashboard.unpaidInvoices',
        href: '/invoices',
        value: account.can('invoices') ? await count('invoices', { status: 'Unpaid' }) : null,
      },
      {
        key: 'tickets',
        label: 'dashboard.openTickets',
        href: '/tickets',
        value: account.can('tickets') ? await count('tickets', { status: 'Open' }) : null,
      },
    ].filter((tile) => tile.value !== null);
    await layout.page(req, res, 'dashboard', {
      title: 'dashboard.title',
      tiles,
      welcome: req.session.firstSignIn ? 'dashboard.welcomeFirst' : 'dashboard.welcome',
    });
  });

  r.get('/services', ...guard('products'), listOf('services', 'id', 'manageproducts'));

  // A service or domain outside a member's chosen ones answers 404 from the guard, before anything changes.
  r.post(
    '/services/:id/cancel',
    ...guard('manageproducts', { resource: { kind: 'products', param: 'id' } }),
    async (req, res) => {
      const id = rowId(req.params.id);
      const changed = id
        ? await knex('services')
            .where({ id, account_id: accountId(res), status: 'Active' })
            .update({ status: 'Cancellation Requested' })
        : 0;
      if (!changed) return layout.notFound(req, res);
      hostFlash(req, 'success', 'services.cancelRequested');
      res.redirect(303, '/services');
    },
  );

  r.get('/domains', ...guard('domains'), listOf('domains', 'name', 'managedomains'));

  r.post(
    '/domains/:id/auto-renew',
    ...guard('managedomains', { resource: { kind: 'domains', param: 'id' } }),
    async (req, res) => {
      const id = rowId(req.params.id);
      const domain = id
        ? await knex('domains')
            .where({ id, account_id: accountId(res) })
            .first<Record<string, unknown> | undefined>()
        : undefined;
      if (!domain) return layout.notFound(req, res);
      await knex('domains').where({ id }).update({ auto_renew: !domain.auto_renew });
      hostFlash(req, 'success', 'domains.autoRenewChanged', { name: domain.name });
      res.redirect(303, '/domains');
    },
  );

  r.get('/invoices', ...guard('invoices'), async (req, res) => {
    const rows = await knex('invoices').where('account_id', accountId(res)).orderBy('issued_on', 'desc');
    await layout.page(req, res, 'invoices', { title: 'invoices.title', rows });
  });

  r.get('/invoices/:id', ...guard('invoices'), async (req, res) => {
    const id = rowId(req.params.id);
    const invoice = id
      ? await knex('invoices')
          .where({ id, account_id: accountId(res) })
          .first<Record<string, unknown> | undefined>()
      : undefined;
    if (!invoice) return layout.notFound(req, res);
    await layout.page(req, res, 'invoice', { title: 'invoices.one', titleParams: { number: invoice.number }, invoice });
  });

  r.get('/quotes', ...guard('quotes'), async (req, res) => {
    const rows = await knex('quotes').where('account_id', accountId(res)).orderBy('id', 'desc');
    await layout.page(req, res, 'quotes', { title: 'quotes.title', rows });
  });

  const showTickets = async (req: Request, res: Response, status = 200, error?: string) => {
    const rows = await knex('tickets').where('account_id', accountId(res)).orderBy('updated_at', 'desc');
    await layout.page(
      req,
      res,
      'tickets',
      {
        title: 'tickets.title',
        rows,
        error,
        form: { subject: text(req.body, 'subject', 200), message: text(req.body, 'message', 5000) },
      },
      status,
    );
  };
  r.get('/tickets', ...guard('tickets'), (req, res) => showTickets(req, res));
  r.post('/tickets', ...guard('tickets'), async (req, res) => {
    const subject = text(req.body, 'subject', 200);
    const message = text(req.body, 'message', 5000);
    if (!subject || !message) return showTickets(req, res, 422, 'tickets.errors.required');
    await knex('tickets').insert({
      account_id: accountId(res),
      subject,
      department: 'Support',
      status: 'Open',
      message,
      opened_by: (req.user as HostUser).id,
      updated_at: Date.now(),
    });
    hostFlash(req, 'success', 'tickets.opened');
    res.redirect(303, '/tickets');
  });

  const showProfile = async (
    req: Request,
    res: Response,
    status = 200,
    error?: string,
    values?: Record<string, string>,
  ) => {
    const account = await knex('accounts').where('id', accountId(res)).first<Record<string, unknown> | undefined>();
    await layout.page(req, res, 'profile', { title: 'profile.title', values: values ?? account, error }, status);
  };
  r.get('/profile', ...guard('profile'), (req, res) => showProfile(req, res));
  r.post('/profile', ...guard('profile'), async (req, res) => {
    const values = {
      name: text(req.body, 'name', 150),
      email: text(req.body, 'email', 254),
      address: text(req.body, 'address', 200),
      city: text(req.body, 'city', 100),
      postcode: text(req.body, 'postcode', 20),
      // Upper-cased only when it is two ASCII letters: "ßß" would become "SSSS", too long for the column.
      country: ((c) => (/^[a-z]{2}$/i.test(c) ? c.toUpperCase() : c))(text(req.body, 'country', 10)),
      phone: text(req.body, 'phone', 40),
    };
    if (!values.name) return showProfile(req, res, 422, 'profile.errors.name', values);
    if (hasControlCharacters(values.name)) return showProfile(req, res, 422, 'profile.errors.nameCharacters', values);
    if (values.country && !COUNTRY_CODES.has(values.country))
      return showProfile(req, res, 422, 'profile.errors.country', values);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email))
      return showProfile(req, res, 422, 'profile.errors.email', values);
    await knex('accounts').where('id', accountId(res)).update(values);
    hostFlash(req, 'success', 'profile.saved');
    res.redirect(303, '/profile');
  });

  const showContacts = async (req: Request, res: Response, status = 200, error?: string) => {
    const rows = await knex('contacts').where('account_id', accountId(res)).orderBy('last_name');
    await layout.page(
      req,
      res,
      'contacts',
      {
        title: 'contacts.title',
        rows,
        error,
        form: {
          firstName: text(req.body, 'firstName', 100),
          lastName: text(req.body, 'lastName', 100),
          email: text(req.body, 'email', 254),
        },
      },
      status,
    );
  };
  r.get('/contacts', ...guard('contacts'), (req, res) => showContacts(req, res));
  r.post('/contacts', ...guard('contacts'), async (req, res) => {
    const firstName = text(req.body, 'firstName', 100);
    const lastName = text(req.body, 'lastName', 100);
    const email = text(req.body, 'email', 254);
    if (!firstName || !lastName || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      return showContacts(req, res, 422, 'contacts.errors.invalid');
    if (hasControlCharacters(firstName) || hasControlCharacters(lastName))
      return showContacts(req, res, 422, 'contacts.errors.nameCharacters');
    await knex('contacts').insert({
      account_id: accountId(res),
      first_name: firstName,
      last_name: lastName,
      email,
      phone: '',
    });
    hostFlash(req, 'success', 'contacts.added');
    res.redirect(303, '/contacts');
  });

  // The signed-in person's own settings (language, password): theirs, whatever the account.
  // Their forms change no account, so they are not bound to one (a POST under guard() must be).
  const signedIn: RequestHandler = (req, res, next) =>
    req.user ? next() : res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  const showSettings = async (req: Request, res: Response, status = 200, error?: string) =>
    layout.page(
      req,
      res,
      'user-settings',
      { title: 'userSettings.title', error, localeChoices: i18n.availableLocales() },
      status,
    );
  r.get('/settings', ...guard(null), (req, res) => showSettings(req, res));
  r.post('/settings/language', signedIn, async (req, res) => {
    const locale = text(req.body, 'locale', 16);
    if (locale && !i18n.availableLocales().includes(locale))
      return showSettings(req, res, 422, 'userSettings.errors.locale');
    await knex('users')
      .where('id', (req.user as HostUser).id)
      .update({ locale: locale || null });
    // "As my browser prefers" must not be outvoted by an earlier choice in the footer's picker.
    if (locale) res.cookie(VISITOR_LOCALE_COOKIE, locale, LOCALE_COOKIE);
    else res.clearCookie(VISITOR_LOCALE_COOKIE, { path: '/' });
    hostFlash(req, 'success', 'userSettings.saved');
    res.redirect(303, '/settings');
  });
  // The language picker in every page's footer, signed in or not: a signed-in user's choice is saved
  // with their login, a visitor's in a cookie (which also keeps the choice after signing out).
  r.post('/language', async (req, res) => {
    const locale = text(req.body, 'locale', 16);
    if (!i18n.availableLocales().includes(locale))
      return layout.page(req, res, 'error', { title: 'errors.title', message: 'userSettings.errors.locale' }, 422);
    const user = req.user as HostUser | undefined;
    if (user) await knex('users').where('id', user.id).update({ locale });
    res.cookie(VISITOR_LOCALE_COOKIE, locale, LOCALE_COOKIE);
    res.redirect(303, safeReturnPath(text(req.body, 'from', 2000)) ?? '/');
  });
  // The same limits as sign-in (per client address, and failures per login), and one hashing at a time.
  const passwordWork = oneAtATime();
  const passwordLimits = [
    loginLimiter(knex, 'password', 20),
    failuresPerLogin(knex, 'password-login', 10, (req) => (req.user as HostUser | undefined)?.email ?? ''),
  ];
  r.post('/settings/password', signedIn, ...passwordLimits, async (req, res) => {
    const user = req.user as HostUser;
    const current = formField(req.body, 'currentPassword').slice(0, 1024);
    const next = formField(req.body, 'newPassword').slice(0, 1024);
    const again = formField(req.body, 'newPasswordAgain').slice(0, 1024);
    const row = await knex('users').where('id', user.id).first<{ password_hash: string }>('password_hash');
    if (!(await passwordWork(() => verifyPassword(current, row.password_hash))))
      return showSettings(req, res, 422, 'userSettings.errors.current');
    if (next.length < 10) return showSettings(req, res, 422, 'userSettings.errors.short');
    if (next !== again) return showSettings(req, res, 422, 'userSettings.errors.mismatch');
    const hash = await passwordWork(() => hashPassword(next));
    await knex('users').where('id', user.id).update({ password_hash: hash });
    // Every other session of this person ends (a thief's too); this one goes on under a new id.
    await knex('sessions')
      .where('sess', 'like', `%"passport":{"user":${Number(user.id)}}%`)
      .andWhereNot('sid', req.sessionID)
      .del();
    await new Promise<void>((resolve, reject) =>
      req.login(user, { session: true, keepSessionInfo: true } as { session: boolean }, (err) =>
        err ? reject(err as Error) : resolve(),
      ),
    );
    generateToken(req, true);
    hostFlash(req, 'success', 'userSettings.passwordChanged');
    res.redirect(303, '/settings');
  });

  return r;
}
