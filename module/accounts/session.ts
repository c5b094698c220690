import type { Request } from 'express';
import type { ModuleContext } from '../context';
import type { MembersRepo } from '../members/repo';
import { sessionAccountId, setSessionAccount } from '../session';

/**
 * How a session comes to work in an account, which decides what is recorded:
 * - `login`, `invitation`: the person signs in to the account now, so its last login moves;
 * - `switch`, `accepted`: the same, but Switch Account writes it in the transaction that logs the
 *   switch, and an accepted invitation in the one that adds the membership;
 * - `fallback`: the guard opening the only open account of a session that has none — not a sign-in.
 */
export type EnterHow = 'login' | 'invitation' | 'accepted' | 'switch' | 'fallback';

/**
 * The one way a session enters an account. `otherAccounts` remembers whether the person has
 * more than one, only to show the Switch Account item.
 */
export async function enterAccount(
  ctx: ModuleContext,
  membersRepo: MembersRepo,
  req: Request,
  entry: { userId: number; accountId: number; how: EnterHow; otherAccounts: boolean },
): Promise<void> {
  if (entry.how === 'login' || entry.how === 'invitation')
    await membersRepo.touchLastLogin(entry.accountId, entry.userId, ctx.now());
  setSessionAccount(req, entry.accountId, entry.otherAccounts);
}

/** The one way a session stops working in an account: access ended, the person left, or none was chosen. */
export function leaveAccount(req: Request, otherAccounts?: boolean): void {
  setSessionAccount(req, undefined, otherAccounts);
}

/** Whether the person has more than one account changed (one was added or closed): the session's account stays. */
export function noteOtherAccounts(req: Request, otherAccounts: boolean): void {
  setSessionAccount(req, sessionAccountId(req), otherAccounts);
}
