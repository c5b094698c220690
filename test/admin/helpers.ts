import type { TestPortal } from '../helpers/portal';
import { demoLike } from '../users/setup';
import { TABLES } from '../../module/tables';
import { allRows, firstRow, foundRow } from '../helpers/db';
import type { LogEntryRow, MemberRow } from '../helpers/rows';

export const BASE = '/admin/modules/account_users';

export interface AdminWorld {
  admin: { id: number; email: string };
  alice: { id: number; email: string };
  bob: { id: number; email: string };
  dev: { id: number; email: string };
  acme: { id: number; ownerId: number; name: string };
  blueFish: { id: number; ownerId: number; name: string };
}

/** The demo's shape (alice owns Acme, bob owns Blue Fish, dev is in both) and one staff member, Ada Admin. */
export async function adminWorld(tp: TestPortal): Promise<AdminWorld> {
  const admin = await tp.f.admin({ email: 'ada@hosting.test', name: 'Ada Admin' });
  return { admin, ...(await demoLike(tp)) };
}

export async function owners(tp: TestPortal, accountId: number): Promise<number[]> {
  const rows = await allRows(tp, TABLES.members, { account_id: accountId, is_owner: true });
  return rows.map((r) => Number(r.user_id));
}

/** A user's membership of an account, which the test expects to be there. */
export function member(tp: TestPortal, accountId: number, userId: number): Promise<MemberRow> {
  return foundRow(tp, TABLES.members, { account_id: accountId, user_id: userId });
}

/** A user's membership of an account, or undefined: for checking it is there or gone. */
export function findMember(tp: TestPortal, accountId: number, userId: number): Promise<MemberRow | undefined> {
  return firstRow(tp, TABLES.members, { account_id: accountId, user_id: userId });
}

/** The account's latest log entry. */
export function lastLog(tp: TestPortal, accountId: number): Promise<LogEntryRow> {
  return foundRow(tp, TABLES.log, (q) => q.where('account_id', accountId).orderBy('id', 'desc'));
}

/** The text of a page without tags, with runs of white space made one, for matching sentences. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
}
