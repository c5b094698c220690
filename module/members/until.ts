import { parseLocaleDay, startOfDay } from '../admin/dates';
import { intl } from '../i18n';

/**
 * Access until a date. The person picks the last day of access; access ends at the end of that
 * day in the portal's time zone, so `access_until` stores the start of the following day: the
 * first moment the membership no longer opens the account.
 */

const DAY = 86_400_000;
/** How far ahead an end date may be: its last day at most this many days from today. */
export const MAX_UNTIL_DAYS = 366;
/** The reminder e-mail goes out this long before access ends. */
export const ENDING_NOTICE_MS = 3 * DAY;

/** The last moment of access, for showing "until <date>" as the day the person picked. */
export function lastDayOf(accessUntil: number): number {
  return accessUntil - 1;
}

/** The day (YYYY-MM-DD in the time zone) a date input shows for a stored end, '' for none. */
export function dayInputValue(accessUntil: number | null, timeZone: string): string {
  if (accessUntil === null) return '';
  const parts = intl(
    `iso-day|${timeZone}`,
    () => new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).formatToParts(new Date(lastDayOf(accessUntil)));
  const n = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${n('year')}-${n('month')}-${n('day')}`;
}

/**
 * An end date as typed (a date input sends YYYY-MM-DD; the locale's format is read too): null for
 * none, the stored moment, or the message key of what is wrong: not a day, already over, or more
 * than a year ahead.
 */
export function parseAccessUntil(
  value: string,
  locale: string,
  timeZone: string,
  now: number,
): { until: number | null } | { error: string } {
  if (!value) return { until: null };
  const day = parseLocaleDay(value, locale);
  if (!day) return { error: 'until.errors.date' };
  const until = startOfDay(day, timeZone, 1);
  if (until <= now) return { error: 'until.errors.past' };
  if (startOfDay(day, timeZone) > now + MAX_UNTIL_DAYS * DAY) return { error: 'until.errors.tooFar' };
  return { until };
}

/** The first and last day a date input offers (today and a year ahead, in the time zone). */
export function untilBounds(now: number, timeZone: string): { min: string; max: string } {
  return {
    min: dayInputValue(now + 1, timeZone),
    max: dayInputValue(now + 1 + (MAX_UNTIL_DAYS - 1) * DAY, timeZone),
  };
}
