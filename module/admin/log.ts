import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { Translate } from '../i18n';
import { hasKey } from '../i18n';
import { ModuleError } from '../errors';
import { field, handler, idParam, pageParam } from '../http';
import { listLog, type LogEntry, type LogFilter } from '../log/repo';
import { localeOf, renderPage, tOf } from '../render';
import { nameOf, timeZoneOf } from '../request';
import type { AdminRepo } from './repo';
import { dayExample, parseLocaleDay, startOfDay } from './dates';

const PER_PAGE = 50;

/** Every action the module writes to the log, in the order the filter lists them. */
export const LOG_ACTIONS = [
  'owner_changed', 'user_added', 'permissions_changed', 'removed', 'left', 'invite_sent', 'invite_resent',
  'invite_cancelled', 'invite_access_changed', 'invite_accepted', 'account_switched', 'owner_backfilled', 'owner_account_created', 'owner_repaired',
];

type FilterErrors = Partial<Record<'action' | 'from' | 'to', string>>;

/** The activity log of one account or one user, for staff: filters by action and day, paged. */
export function logHandlers(deps: Deps, admin: AdminRepo) {
  const { ctx } = deps;

  /** The query's filter, or the messages of the fields that are not valid. */
  function readFilter(req: Request, res: Response): { form: Record<'action' | 'from' | 'to', string>; filter: LogFilter; errors: FilterErrors } {
    const form = { action: field(req.query, 'action', 50), from: field(req.query, 'from', 20), to: field(req.query, 'to', 20) };
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
    if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) errors.to = 'admin.log.errors.range';
    return { form, filter, errors };
  }

  function actor(t: Translate, e: LogEntry): string {
    if (e.actorType === 'admin') return t('activity.actorAdmin', { name: e.actorName });
    if (e.actorType === 'system') return t('activity.actorSystem');
    return e.actorName;
  }

  function access(t: Translate, value: unknown): string {
    if (value === 'all') return t('permissions.all');
    if (!Array.isArray(value)) return '';
    return ctx.catalogue.summary(t, { allPermissions: false, permissions: value.filter((k): k is string => typeof k === 'string') });
  }

  function details(t: Translate, e: LogEntry, names: Map<number, string>): string {
    const d = e.details;
    if (e.action === 'permissions_changed' && 'to' in d) return t('activity.details.changed', { from: access(t, d.from), to: access(t, d.to) });
    if (e.action === 'owner_changed' && typeof d.previousOwnerId === 'number') {
      const name = names.get(d.previousOwnerId) ?? `#${d.previousOwnerId}`;
      // Entries written before the choice existed hold no access: the previous owner kept All Permissions.
      return 'previousOwnerAccess' in d ? t('admin.log.previousOwnerKeeps', { name, access: access(t, d.previousOwnerAccess) }) : t('admin.log.previousOwner', { name });
    }
    if ('permissions' in d) return t('activity.details.access', { access: access(t, d.permissions) });
    return '';
  }

  async function render(req: Request, res: Response, scope: { accountId?: number; userId?: number }, view: Record<string, unknown> & { title: string }) {
    const t = tOf(req);
    const { form, filter, errors } = readFilter(req, res);
    const page = pageParam(req.query.page);
    const valid = Object.keys(errors).length === 0;
    const { entries, hasNext } = valid ? await listLog(ctx.knex, { ...filter, ...scope }, page, PER_PAGE) : { entries: [], hasNext: false };
    const userIds = new Set<number>();
    for (const e of entries) {
      if (e.targetUserId !== null) userIds.add(e.targetUserId);
      if (e.action === 'owner_changed' && typeof e.details.previousOwnerId === 'number') userIds.add(e.details.previousOwnerId);
    }
    const names = await admin.userNames([...userIds]);
    const accountNames = await admin.accountNames([...new Set(entries.map((e) => e.accountId).filter((id): id is number => id !== null))]);
    const rows = entries.map((e) => ({
      createdAt: e.createdAt,
      accountId: e.accountId,
      accountName: e.accountId !== null ? accountNames.get(e.accountId) ?? `#${e.accountId}` : '',
      actor: actor(t, e),
      action: hasKey(`activity.action.${e.action}`) ? t(`activity.action.${e.action}`) : e.action,
      target: (e.targetUserId !== null ? names.get(e.targetUserId) : undefined) ?? e.targetEmail ?? '',
      details: details(t, e, names),
      ip: e.ip ?? '',
    }));
    renderPage(ctx, req, res, 'admin/log', { ...view, rows, page, hasNext, form, errors, actions: LOG_ACTIONS, dateExample: dayExample(localeOf(req)), path: req.baseUrl + req.path }, valid ? 200 : 422);
  }

  const ofAccount = handler(async (req: Request, res: Response) => {
    const acct = await admin.account(idParam(req.params.accountId));
    if (!acct) throw ModuleError.notFound();
    await render(req, res, { accountId: acct.id }, { title: 'admin.log.accountTitle', titleParams: { name: acct.name }, acct, user: null });
  });

  const ofUser = handler(async (req: Request, res: Response) => {
    const user = await admin.user(idParam(req.params.userId));
    if (!user) throw ModuleError.notFound();
    const name = nameOf(ctx, user);
    await render(req, res, { userId: user.id }, { title: 'admin.log.userTitle', titleParams: { name }, acct: null, user });
  });

  return { ofAccount, ofUser };
}
