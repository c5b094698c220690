import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { Refusal } from '../errors';
import { field, idParam } from '../http';
import { idKey, pagerLinks, readCursor, readPage, type KeysetPage } from '../keyset';
import { formatLog } from '../log/format';
import { listLog, type LogEntry, type LogFilter } from '../log/repo';
import { localeOf, renderPage, tOf } from '../render';
import { nameOf, timeZoneOf } from '../request';
import type { AdminRepo } from './repo';
import { dayExample, parseLocaleDay, startOfDay } from './dates';
import { formatDate } from '../i18n';

const PER_PAGE = 50;

/** Every action the module writes to the log, in the order the filter lists them. */
export const LOG_ACTIONS = [
  'owner_changed',
  'user_added',
  'permissions_changed',
  'removed',
  'left',
  'invite_sent',
  'invite_resent',
  'invite_cancelled',
  'invite_access_changed',
  'invite_accepted',
  'invite_declined',
  'ownership_offered',
  'ownership_offer_declined',
  'ownership_offer_withdrawn',
  'ownership_offer_ended',
  'handover_password_wrong',
  'account_switched',
  'owner_backfilled',
  'owner_account_created',
  'owner_repaired',
  'access_expired',
];

type FilterErrors = Partial<Record<'action' | 'from' | 'to', string>>;

/** The activity log of one account or one user, for staff: filters by action and day, paged. */
export function logHandlers(deps: Deps, admin: AdminRepo) {
  const { ctx } = deps;

  /** The query's filter, or the messages of the fields that are not valid. */
  function readFilter(req: Request): {
    form: Record<'action' | 'from' | 'to', string>;
    filter: LogFilter;
    errors: FilterErrors;
  } {
    const form = {
      action: field(req.query, 'action', 50),
      from: field(req.query, 'from', 20),
      to: field(req.query, 'to', 20),
    };
    // Days are typed as the page's language writes them (or YYYY-MM-DD) and start at midnight where the portal is.
    const locale = localeOf(req);
    const timeZone = timeZoneOf(req);
    const errors: FilterErrors = {};
    const filter: LogFilter = {};
    if (form.action) {
      if (LOG_ACTIONS.includes(form.action)) filter.action = form.action;
      else errors.action = 'admin.log.errors.action';
    }
    const from = form.from ? parseLocaleDay(form.from, locale) : undefined;
    const to = form.to ? parseLocaleDay(form.to, locale) : undefined;
    if (form.from && !from) errors.from = 'admin.log.errors.date';
    if (form.to && !to) errors.to = 'admin.log.errors.date';
    if (from) filter.from = startOfDay(from, timeZone);
    // "To" includes that whole day.
    if (to) filter.to = startOfDay(to, timeZone, 1);
    if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to)
      errors.to = 'admin.log.errors.range';
    return { form, filter, errors };
  }

  async function render(
    req: Request,
    res: Response,
    scope: { accountId?: number; userId?: number },
    view: Record<string, unknown> & { title: string },
  ) {
    const t = tOf(req);
    const { form, filter, errors } = readFilter(req);
    const valid = Object.keys(errors).length === 0;
    const page: KeysetPage<LogEntry> = valid
      ? await readPage(readCursor(req.query, idKey), (cursor) =>
          listLog(ctx.knex, { ...filter, ...scope }, cursor, PER_PAGE),
        )
      : { rows: [], hasPrev: false, hasNext: false };
    const entries = page.rows;
    const accountNames = await admin.accountNames([
      ...new Set(entries.map((e) => e.accountId).filter((id): id is number => id !== null)),
    ]);
    const words = await formatLog(ctx, t, entries, (ms) => formatDate(localeOf(req), ms, timeZoneOf(req)));
    const rows = entries.map((e, i) => ({
      ...words[i],
      accountId: e.accountId,
      accountName: e.accountId !== null ? (accountNames.get(e.accountId) ?? `#${e.accountId}`) : '',
    }));
    renderPage(
      ctx,
      req,
      res,
      'admin/log',
      {
        ...view,
        rows,
        // Every link keeps the filter as typed.
        pager: pagerLinks(page, (e) => String(e.id), form),
        form,
        errors,
        actions: LOG_ACTIONS,
        dateExample: dayExample(localeOf(req)),
        path: req.baseUrl + req.path,
      },
      valid ? 200 : 422,
    );
  }

  const ofAccount = async (req: Request, res: Response) => {
    const acct = await admin.account(idParam(req.params.accountId));
    if (!acct) throw Refusal.notFound();
    await render(
      req,
      res,
      { accountId: acct.id },
      { title: 'admin.log.accountTitle', titleParams: { name: acct.name }, acct, user: null },
    );
  };

  const ofUser = async (req: Request, res: Response) => {
    const user = await admin.user(idParam(req.params.userId));
    if (!user) throw Refusal.notFound();
    const name = nameOf(ctx, user);
    await render(
      req,
      res,
      { userId: user.id },
      { title: 'admin.log.userTitle', titleParams: { name }, acct: null, user },
    );
  };

  return { ofAccount, ofUser };
}
