import { intl } from '../i18n';

/**
 * Calendar days of the log filter as instants in the portal's time zone. A day is typed in the
 * reader's locale's numeric format (en 11/28/2026, de 28.11.2026, nl 28-11-2026, as
 * Intl.DateTimeFormat writes it) or as YYYY-MM-DD in any locale.
 */

export interface Day {
  y: number;
  m: number;
  d: number;
}

/** Minutes the zone is ahead of UTC at one instant. */
function offsetMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The day when it is a real calendar day ("2026-02-30" is not one). */
function realDay(y: number, m: number, d: number): Day | undefined {
  const check = new Date(Date.UTC(y, m - 1, d));
  if (y < 1970 || y > 9999 || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
    return undefined;
  return { y, m, d };
}

/** A real calendar day written YYYY-MM-DD, or undefined. */
export function parseDay(value: string): Day | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match ? realDay(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
}

/** The locale's numeric date as Intl writes it: the order of day, month and year, and what stands between. */
function numericDate(locale: string): Intl.DateTimeFormat {
  return intl(
    `numeric-date|${locale}`,
    () => new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }),
  );
}

/** 28 November 2026 in the locale's numeric format: the example the filter's help and errors give. */
export function dayExample(locale: string): string {
  return numericDate(locale).format(new Date(Date.UTC(2026, 10, 28)));
}

/** What a typed day of the locale looks like: a pattern with three groups, and which is which. */
function dayPattern(locale: string): { pattern: RegExp; order: Array<'day' | 'month' | 'year'> } {
  return intl(`day-pattern|${locale}`, () => {
    const order: Array<'day' | 'month' | 'year'> = [];
    let source = '';
    for (const part of numericDate(locale).formatToParts(new Date(Date.UTC(2026, 0, 5)))) {
      if (part.type === 'day' || part.type === 'month') {
        order.push(part.type);
        source += '(\\d{1,2})';
      } else if (part.type === 'year') {
        order.push('year');
        source += '(\\d{4})';
      } else {
        // Separators as written, with any spaces (or direction marks) around them optional.
        const sep = part.value.replace(/[\s\u200e\u200f]+/g, '');
        source += `\\s*${sep.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}\\s*`;
      }
    }
    return { pattern: new RegExp(`^${source}$`), order };
  });
}

/**
 * A day typed in the locale's numeric format (one- or two-digit day and month, four-digit year,
 * the locale's separators) or as YYYY-MM-DD; undefined otherwise.
 */
export function parseLocaleDay(value: string, locale: string): Day | undefined {
  const iso = parseDay(value);
  if (iso) return iso;
  const { pattern, order } = dayPattern(locale);
  const match = pattern.exec(value.trim());
  if (!match || order.length !== 3) return undefined;
  const n = (type: 'day' | 'month' | 'year') => Number(match[order.indexOf(type) + 1]);
  return realDay(n('year'), n('month'), n('day'));
}

/** Midnight at the start of the day in the time zone, in milliseconds; `plusDays` moves to later days. */
export function startOfDay(day: Day, timeZone: string, plusDays = 0): number {
  const guess = Date.UTC(day.y, day.m - 1, day.d + plusDays);
  // Twice: the first offset may belong to the other side of a daylight-saving change.
  const first = guess - offsetMinutes(guess, timeZone) * 60_000;
  return guess - offsetMinutes(first, timeZone) * 60_000;
}
