import type { Deps } from '../deps';
import type { UserLoginPayload } from '../contract';
import { safeReturnPath } from '../safe-return';
import { enterAccount, leaveAccount } from './session';

/**
 * UserLogin: one open account → the session is in it and the user goes where they were going;
 * several → the chooser (keeping the return address); none → the chooser, which then says plainly
 * that there is no account to open. The account lives in this session only.
 */
export async function onUserLogin(
  { ctx, membersRepo, accountsRepo, guards, invitesService, members }: Deps,
  payload: UserLoginPayload,
): Promise<void> {
  const { req, user } = payload;
  const returnTo = safeReturnPath(payload.returnTo);
  // An account created without AccountCreated (an import, an API) gets its primary user as owner now.
  await members.repairOwnersAtSignIn(user.id);
  // Access that reached its end date is left out below; the first to notice it logs it.
  await members.noteEndedOf(user.id);
  const ids = await accountsRepo.openAccountIds(user.id, 2);
  if (ids.length === 1) {
    await enterAccount(ctx, membersRepo, req, {
      userId: user.id,
      accountId: ids[0],
      how: 'login',
      otherAccounts: false,
    });
    payload.redirect = returnTo ?? ctx.host.urls.home;
    return;
  }
  leaveAccount(req, ids.length > 1);
  // An invitation page needs no account: signing in from it goes straight back to it.
  payload.redirect = returnTo && invitesService.isInvitationPath(returnTo) ? returnTo : guards.chooserPath(returnTo);
}
