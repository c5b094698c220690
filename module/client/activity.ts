import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { AccountContext } from '../guard';
import type { Translate } from '../i18n';
import { hasKey } from '../i18n';
import { handler, pageParam } from '../http';
import { listLog, type LogEntry } from '../log/repo';
import { renderPage, tOf } from '../render';
import { LOG_ACTIONS } from '../admin/log';
import { nameOf } from '../request';

const PER_PAGE = 50;

/** One row of the activity log as the owner reads it. */
interface ActivityRow {
  createdAt: number;
  actor: string;
  action: string;
  target: string;
  details: string;
  ip: string;
}

/** The account's activity log for its owner: newest first, one page at a time. */
export function activityHandlers({ ctx }: Deps) {
  /** Names of the page's target users in one query; users deleted since show their e-mail or nothing. */
  async function userNames(ids: number[]): Promise<Map<number, string>> {
    const u = ctx.host.schema.users;
    if (ids.length === 0) return new Map();
    const rows = (await ctx.knex(u.table).whereIn(u.id, ids).select({ id: u.id, email: u.email, first: u.firstName, last: u.lastName })) as Array<{
      id: number;
      email: string;
      first: string;
      last: string;
    }>;
    return new Map(rows.map((r) => [Number(r.id), nameOf(ctx, { id: Number(r.id), email: r.email, firstName: r.first, lastName: r.last })]));
  }

  function access(t: Translate, value: unknown): string {
    if (value === 'all') return t('permissions.all');
    if (!Array.isArray(value)) return '';
    return ctx.catalogue.summary(t, { allPermissions: false, permissions: value.filter((k): k is string => typeof k === 'string') });
  }

  /** The details worth reading for the actions that carry them, in words. */
  function details(t: Translate, entry: LogEntry): string {
    const d = entry.details;
    if ((entry.action === 'permissions_changed' || entry.action === 'invite_access_changed') && 'to' in d) return t('activity.details.changed', { from: access(t, d.from), to: access(t, d.to) });
    if ('permissions' in d) return t('activity.details.access', { access: access(t, d.permissions) });
    if (entry.action === 'owner_changed' && 'previousOwnerAccess' in d) return t('activity.details.previousOwnerKeeps', { access: access(t, d.previousOwnerAccess) });
    if (entry.action === 'invite_cancelled' && d.inviterLostAccess) return t('activity.details.inviterLostAccess');
    return '';
  }

  function actor(t: Translate, entry: LogEntry): string {
    if (entry.actorType === 'admin') return t('activity.actorAdmin', { name: entry.actorName });
    if (entry.actorType === 'system') return t('activity.actorSystem');
    return entry.actorName;
  }

  const list = handler(async (req: Request, res: Response) => {
    const account = res.locals.account as AccountContext;
    const t = tOf(req);
    const page = pageParam(req.query.page);
    // Only the module's own actions filter; anything else shows every entry.
    const action = typeof req.query.action === 'string' && LOG_ACTIONS.includes(req.query.action) ? req.query.action : '';
    const { entries, hasNext } = await listLog(ctx.knex, { accountId: account.id, action: action || undefined }, page, PER_PAGE);
    const names = await userNames([...new Set(entries.map((e) => e.targetUserId).filter((id): id is number => id !== null))]);
    const rows: ActivityRow[] = entries.map((e) => ({
      createdAt: e.createdAt,
      actor: actor(t, e),
      action: hasKey(`activity.action.${e.action}`) ? t(`activity.action.${e.action}`) : e.action,
      target: (e.targetUserId !== null ? names.get(e.targetUserId) : undefined) ?? e.targetEmail ?? '',
      details: details(t, e),
      ip: e.ip ?? '',
    }));
    renderPage(ctx, req, res, 'client/activity', { title: 'activity.title', rows, page, hasNext, action, actions: LOG_ACTIONS, actionQuery: action ? `&action=${encodeURIComponent(action)}` : '' });
  });

  return { list };
}
