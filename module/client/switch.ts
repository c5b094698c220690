import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { field, userActor } from '../http';
import { FIRST, pagerLinks, readCursor, readPage, type Cursor } from '../keyset';
import { parseRecentKey, recentKeyOf, type RecentKey } from '../accounts/repo';
import { renderPage, signOutForm } from '../render';
import { userOf } from '../request';
import { flash, sessionAccountId, setLanding } from '../session';
import { safeReturnPath } from '../safe-return';
import { toAccountContext } from '../guard';
import { describeAccounts } from '../accounts/describe';
import { landingAfterSwitch, RETURN_PERMISSION, returnPermissionOf, type ReturnAddress } from '../accounts/landing';
import { enterAccount, noteOtherAccounts } from '../accounts/session';

export const SWITCH_PER_PAGE = 20;

/** Switch Account, also the chooser after login: every account of the user, most recent first. */
export function switchHandlers(
  { ctx, membersRepo, accountsRepo, members, invitesService }: Deps,
  clientPath: () => string,
) {
  async function renderChooser(
    req: Request,
    res: Response,
    input: { search: string; cursor: Cursor<RecentKey>; back: ReturnAddress; error?: string; status?: number },
  ) {
    const user = userOf(req)!;
    const { search } = input;
    const { returnTo, permission: returnPermission } = input.back;
    const total = await accountsRepo.count(user.id, search);
    const page =
      total.count === 0
        ? { rows: [], hasPrev: false, hasNext: false }
        : await readPage(input.cursor, (cursor) => accountsRepo.page(user.id, search, cursor, SWITCH_PER_PAGE));
    const list = page.rows;
    // Invitations waiting for this person: both pages point to them.
    const invitationCount = await invitesService.countAddressedTo(user);
    if (!search) {
      // Up to two open accounts (from the page when it shows them): none → the plain no-account
      // page; two → the Switch Account menu item has somewhere to go.
      const onPage = list.filter((a) => a.accountOpen).length;
      const open =
        onPage >= 2 || (!page.hasPrev && !page.hasNext)
          ? Math.min(onPage, 2)
          : (await accountsRepo.openAccountIds(user.id, 2)).length;
      if (req.session.accountUsers?.multi !== open > 1) noteOtherAccounts(req, open > 1);
      if (open === 0) {
        renderPage(
          ctx,
          req,
          res,
          'client/no-account',
          {
            title: 'switch.noAccountTitle',
            email: user.email,
            signOut: signOutForm(ctx, req),
            invitationCount,
          },
          input.status ?? 200,
        );
        return;
      }
    }
    // In an account still open to the user: the layout shows its menus, and the list marks it.
    const chosen = sessionAccountId(req);
    const current = chosen !== undefined ? await accountsRepo.current(chosen, user.id) : undefined;
    if (current?.accountOpen) res.locals.account = toAccountContext(ctx, current);
    // The host's second line for each row (a domain, a contact), so similar names can be told apart.
    const details = await describeAccounts(
      ctx,
      list.map((a) => a.accountId),
    );
    renderPage(
      ctx,
      req,
      res,
      'client/switch',
      {
        title: 'switch.title',
        accounts: list,
        total,
        search,
        pager: pagerLinks(page, recentKeyOf, {
          q: search,
          returnTo,
          returnPermission: returnTo ? returnPermission : undefined,
        }),
        currentId: current?.accountOpen ? current.accountId : undefined,
        returnTo,
        returnPermission: returnTo ? returnPermission : undefined,
        details,
        // Leaving lives here, under the list, not in the menu beside Sign out.
        leave:
          current?.accountOpen && !current.isOwner && ctx.settings().allowLeave
            ? { accountName: current.accountName }
            : undefined,
        error: input.error,
        catalogue: ctx.catalogue,
        invitationCount,
      },
      input.status ?? 200,
    );
  }

  /** The return address a request carries (query or form): a local path, and a catalogue key for it. */
  const backOf = (source: Record<string, unknown> | undefined): ReturnAddress => {
    const returnTo = safeReturnPath(source?.returnTo);
    return returnTo ? { returnTo, permission: returnPermissionOf(ctx, source?.[RETURN_PERMISSION]) } : {};
  };

  const show = (req: Request, res: Response) =>
    renderChooser(req, res, {
      search: field(req.query, 'q', 100),
      cursor: readCursor(req.query, parseRecentKey),
      back: backOf(req.query),
    });

  const choose = async (req: Request, res: Response) => {
    const user = userOf(req)!;
    const raw = field(req.body, 'accountId', 12);
    const accountId = /^[1-9][0-9]{0,9}$/.test(raw) && Number(raw) <= 2147483647 ? Number(raw) : 0;
    const back = backOf(req.body as Record<string, unknown> | undefined);
    const membership = accountId ? await accountsRepo.current(accountId, user.id) : undefined;
    if (!membership || !membership.accountOpen) {
      // Not a member, no such account, or closed: one answer for all, and the session stays put.
      await renderChooser(req, res, { search: '', cursor: FIRST, back, error: 'switch.notAvailable', status: 403 });
      return;
    }
    const previous = sessionAccountId(req);
    if (previous !== accountId) await members.recordSwitch(userActor(req), user.id, accountId, previous ?? null);
    await enterAccount(ctx, membersRepo, req, {
      userId: user.id,
      accountId,
      how: 'switch',
      otherAccounts: membership.otherAccounts,
    });
    flash(req, 'success', 'switch.switched', { name: membership.accountName });
    // The same section in the new account when it may open it (checked here, before redirecting),
    // else the dashboard with a word why.
    const landing = landingAfterSwitch(ctx, clientPath(), toAccountContext(ctx, membership), back);
    if (landing.refused) flash(req, 'info', 'switch.sectionRefused', { name: membership.accountName });
    // The page's own guard checks once more on arrival (a host page the menu named no permission for).
    setLanding(req, landing.path);
    res.redirect(303, landing.path ?? ctx.host.urls.home);
  };

  return { show, choose };
}
