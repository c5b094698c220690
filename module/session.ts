import type { Request } from 'express';
import type { PageMessage } from './contract';
import { translate } from './i18n';
import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The account this session works in; re-checked against the database on every request. */
    accountUsers?: { accountId?: number; multi?: boolean; landing?: string };
    accountUsersFlash?: Array<{ type: 'success' | 'error' | 'info'; key: string; params?: Record<string, unknown> }>;
  }
}

export function sessionAccountId(req: Request): number | undefined {
  const id = req.session?.accountUsers?.accountId;
  return typeof id === 'number' ? id : undefined;
}

/** `multi` remembers whether the user has several accounts, only to show the Switch Account item. */
export function setSessionAccount(req: Request, accountId: number | undefined, multi?: boolean): void {
  if (!req.session) return;
  const keep = multi ?? req.session.accountUsers?.multi ?? false;
  req.session.accountUsers = accountId === undefined ? { multi: keep } : { accountId, multi: keep };
}

/**
 * The page a switch has just sent the person to, checked once by that page's guard: if the new
 * account may not open it, the person gets the dashboard instead of a 403 page. Any other account
 * change forgets it (setSessionAccount rebuilds the note).
 */
export function setLanding(req: Request, path: string | undefined): void {
  const note = req.session?.accountUsers;
  if (!note) return;
  if (path) note.landing = path;
  else delete note.landing;
}

/** Takes the switch's landing page out of the session (the guard's first request after a switch). */
export function takeLanding(req: Request): string | undefined {
  const note = req.session?.accountUsers;
  const landing = note?.landing;
  if (note && landing !== undefined) delete note.landing;
  return typeof landing === 'string' ? landing : undefined;
}

export function flash(
  req: Request,
  type: 'success' | 'error' | 'info',
  key: string,
  params?: Record<string, unknown>,
): void {
  if (!req.session) return;
  req.session.accountUsersFlash = [...(req.session.accountUsersFlash ?? []), { type, key, params }].slice(-5);
}

export function takeFlash(req: Request): Array<{ type: string; key: string; params?: Record<string, unknown> }> {
  const messages = req.session?.accountUsersFlash ?? [];
  if (req.session && messages.length) delete req.session.accountUsersFlash;
  return messages;
}

/** The module's messages for this request, translated, taken out of the session (shown once). */
export function takeMessages(req: Request, locale: string): PageMessage[] {
  return takeFlash(req).map((m) => ({ type: m.type as PageMessage['type'], text: translate(locale, m.key, m.params) }));
}
