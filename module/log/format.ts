import type { ModuleContext } from '../context';
import { hasKey, type Translate } from '../i18n';
import { nameOf } from '../request';
import type { LogEntry } from './repo';

/** One activity-log entry in words, as the owner's log and the staff log both show it. */
export interface LogRow {
  createdAt: number;
  actor: string;
  action: string;
  target: string;
  details: string;
  ip: string;
}

/**
 * The entries of one log page in words: who acted (staff and the system named as such), the action,
 * whom it concerned and the details that carry meaning. People are named by the host's formula,
 * read in one query for the whole page.
 */
export async function formatLog(
  ctx: ModuleContext,
  t: Translate,
  entries: LogEntry[],
  /** A day in the reader's locale and the portal's time zone (end dates of access). */
  date: (ms: number) => string = (ms) => new Date(ms).toISOString().slice(0, 10),
): Promise<LogRow[]> {
  const names = await peopleNamed(ctx, entries);
  return entries.map((e) => ({
    createdAt: e.createdAt,
    actor: actorOf(t, e),
    action: hasKey(`activity.action.${e.action}`) ? t(`activity.action.${e.action}`) : e.action,
    target: (e.targetUserId !== null ? names.get(e.targetUserId) : undefined) ?? e.targetEmail ?? '',
    details: withUntil(t, e, detailsOf(ctx, t, e, names), date),
    ip: e.ip ?? '',
  }));
}

/** The people a page of entries points at (targets and previous owners); deleted ones are left out. */
async function peopleNamed(ctx: ModuleContext, entries: LogEntry[]): Promise<Map<number, string>> {
  const ids = new Set<number>();
  for (const e of entries) {
    if (e.targetUserId !== null) ids.add(e.targetUserId);
    if (e.action === 'owner_changed' && typeof e.details.previousOwnerId === 'number')
      ids.add(e.details.previousOwnerId);
  }
  if (ids.size === 0) return new Map();
  const u = ctx.host.schema.users;
  const rows = await ctx
    .knex(u.table)
    .whereIn(u.id, [...ids])
    .select<
      Array<{
        id: number;
        email: string;
        first: string | null;
        last: string | null;
      }>
    >({ id: u.id, email: u.email, first: u.firstName, last: u.lastName });
  return new Map(
    rows.map((r) => [
      Number(r.id),
      nameOf(ctx, { id: Number(r.id), email: r.email, firstName: r.first ?? '', lastName: r.last ?? '' }),
    ]),
  );
}

function actorOf(t: Translate, e: LogEntry): string {
  if (e.actorType === 'admin') return t('activity.actorAdmin', { name: e.actorName });
  if (e.actorType === 'system') return t('activity.actorSystem');
  return e.actorName;
}

function accessOf(ctx: ModuleContext, t: Translate, value: unknown): string {
  if (value === 'all') return t('permissions.all');
  // All Permissions with `manageusers` beside it.
  if (value && typeof value === 'object' && 'all' in value && 'keys' in value && Array.isArray(value.keys))
    return ctx.catalogue.summary(t, {
      allPermissions: true,
      permissions: value.keys.filter((k): k is string => typeof k === 'string'),
    });
  if (!Array.isArray(value)) return '';
  return ctx.catalogue.summary(t, {
    allPermissions: false,
    permissions: value.filter((k): k is string => typeof k === 'string'),
  });
}

/**
 * The end date of access an entry set, cleared or saw reached, after its other details. The
 * stored value is the first moment without access, so the day shown is the last one with it.
 */
function withUntil(t: Translate, e: LogEntry, details: string, date: (ms: number) => string): string {
  const d = e.details;
  const day = (value: unknown) => date(Number(value) - 1);
  let until = '';
  if (e.action === 'access_expired' && typeof d.until === 'number')
    until = t('until.log.ended', { date: day(d.until) });
  else if ('untilTo' in d)
    until = d.untilTo === null ? t('until.log.cleared') : t('until.log.set', { date: day(d.untilTo) });
  else if (typeof d.until === 'number') until = t('until.log.set', { date: day(d.until) });
  if (!until) return details;
  // A save that changed only the end date shows only that.
  const sameAccess = 'to' in d && JSON.stringify(d.from) === JSON.stringify(d.to);
  return details && !sameAccess ? `${details}; ${until}` : until;
}

/** The details worth reading for the actions that carry them, in words. */
function detailsOf(ctx: ModuleContext, t: Translate, e: LogEntry, names: Map<number, string>): string {
  const d = e.details;
  const access = (value: unknown) => accessOf(ctx, t, value);
  if ((e.action === 'permissions_changed' || e.action === 'invite_access_changed') && 'to' in d)
    return t('activity.details.changed', { from: access(d.from), to: access(d.to) });
  if (e.action === 'owner_changed' && typeof d.previousOwnerId === 'number') {
    const name = names.get(d.previousOwnerId) ?? `#${d.previousOwnerId}`;
    if ('offerId' in d) return t('activity.details.handedOver', { name, access: access(d.previousOwnerAccess) });
    // Entries written before the choice existed hold no access: the previous owner kept All Permissions.
    return 'previousOwnerAccess' in d
      ? t('activity.details.previousOwnerKeeps', { name, access: access(d.previousOwnerAccess) })
      : t('activity.details.previousOwner', { name });
  }
  if ('permissions' in d) return t('activity.details.access', { access: access(d.permissions) });
  if (e.action === 'invite_cancelled' && d.inviterLostAccess) return t('activity.details.inviterLostAccess');
  if (
    e.action === 'ownership_offer_ended' &&
    typeof d.reason === 'string' &&
    hasKey(`activity.details.offerEnded.${d.reason}`)
  )
    return t(`activity.details.offerEnded.${d.reason}`);
  return '';
}
