/** Calendar days of the log filter (YYYY-MM-DD) as instants in the portal's time zone. */

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

/** A real calendar day written YYYY-MM-DD, or undefined ("2026-02-30" is not one). */
export function parseDay(value: string): { y: number; m: number; d: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (y < 1970 || y > 9999 || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  return { y, m, d };
}

/** Midnight at the start of the day in the time zone, in milliseconds; `plusDays` moves to later days. */
export function startOfDay(day: { y: number; m: number; d: number }, timeZone: string, plusDays = 0): number {
  const guess = Date.UTC(day.y, day.m - 1, day.d + plusDays);
  // Twice: the first offset may belong to the other side of a daylight-saving change.
  const first = guess - offsetMinutes(guess, timeZone) * 60_000;
  return guess - offsetMinutes(first, timeZone) * 60_000;
}
