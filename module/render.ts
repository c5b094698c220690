import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { Request, Response } from 'express';
import type { ModuleContext } from './context';
import { formatDate, formatDateTime, translator, type Translate } from './i18n';
import { takeFlash, takeMessages } from './session';
import { generateToken } from './csrf';
import { areaOf, localeOf, timeZoneOf } from './request';
import { packagePath } from './paths';

const VIEWS = packagePath('views');
const compiled = new Map<string, ejs.TemplateFunction>();

/**
 * Renders one of the module's EJS files to a string; compiled once per process. `cache` makes the
 * files it includes compiled once too (EJS keeps them by path): without it every include() reads
 * its file and compiles it again on each render.
 */
export function renderView(view: string, data: Record<string, unknown>): string {
  const filename = path.join(VIEWS, `${view}.ejs`);
  let fn = compiled.get(filename);
  if (!fn) {
    fn = ejs.compile(fs.readFileSync(filename, 'utf8'), { filename, async: false, cache: true });
    compiled.set(filename, fn);
  }
  return fn(data);
}

export { localeOf };

export function tOf(req: Request): Translate {
  return translator(localeOf(req));
}

export interface ViewHelpers {
  t: Translate;
  locale: string;
  base: string;
  csrfToken: string;
  dateTime(ms: number | null | undefined): string;
  date(ms: number | null | undefined): string;
}

export function helpers(req: Request, _res: Response): ViewHelpers {
  const locale = localeOf(req);
  const timeZone = timeZoneOf(req);
  return {
    t: translator(locale),
    locale,
    base: req.baseUrl,
    // The module's own token, whatever CSRF protection the host has.
    csrfToken: req.session ? generateToken(req) : '',
    dateTime: (ms) => formatDateTime(locale, ms, timeZone),
    date: (ms) => formatDate(locale, ms, timeZone),
  };
}

/** The host's sign-out as a form a module page can show (method, action, hidden fields). */
export function signOutForm(
  ctx: ModuleContext,
  req: Request,
): { href: string; method: 'GET' | 'POST'; fields: Record<string, string> } {
  const { href, method, fields } = ctx.host.urls.signOut;
  return { href, method, fields: fields ? fields(req) : {} };
}

/** The host's sign-in page, coming back to `returnTo` afterwards. */
export function signInUrl(ctx: ModuleContext, returnTo: string): string {
  const login = ctx.host.urls.login;
  return `${login}${login.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(returnTo)}`;
}

/**
 * Renders a module page inside the host's layout (or a plain one when the host has none).
 * `title` is a lang/ key.
 */
export function renderPage(
  ctx: ModuleContext,
  req: Request,
  res: Response,
  view: string,
  data: Record<string, unknown> & { title: string; titleParams?: Record<string, unknown> },
  status = 200,
): void {
  const h = helpers(req, res);
  const title = h.t(data.title, data.titleParams);
  const body = renderView('partials/page', {
    base: h.base,
    content: renderView(view, { ...h, account: res.locals.account, catalogue: ctx.catalogue, ...data, title }),
  });
  if (ctx.host.renderPage) {
    // The host's layout shows the module's messages with its own.
    const page = { title, body, status, area: areaOf(req), messages: takeMessages(req, h.locale) };
    Promise.resolve()
      .then(() => ctx.host.renderPage!(req, res, page))
      .catch((err: unknown) =>
        req.next ? req.next(err) : ctx.host.logger.error('account users: renderPage failed', { err: String(err) }),
      );
  } else {
    res.status(status).send(renderView('partials/standalone', { ...h, title, body, flash: takeFlash(req) }));
  }
}
