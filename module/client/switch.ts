import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { HostUser } from '../contract';
import { field, handler, pageParam, userActor } from '../http';
import { renderPage } from '../render';
import { flash, sessionAccountId, setSessionAccount } from '../session';
import { safeReturnPath } from '../safe-return';
import { writeLog } from '../log/repo';

const PER_PAGE = 20;

/** Switch Account, also the chooser after login: every account of the user, most recent first. */
export function switchHandlers({ ctx, repo }: Deps) {
  const show = handler(async (req: Request, res: Response) => {
    const user = req.user as HostUser;
    const search = field(req.query, 'q', 100);
    const page = pageParam(req.query.page);
    const total = await repo.countAccountsOfUser(user.id, search);
    const accounts = await repo.accountsOfUser(user.id, search, (page - 1) * PER_PAGE, PER_PAGE);
    const returnTo = safeReturnPath(req.query.returnTo);
    if (!search && req.session.accountUsers) req.session.accountUsers.multi = total > 1;
    renderPage(ctx, req, res, total === 0 && !search ? 'client/no-account' : 'client/switch', {
      title: total === 0 && !search ? 'switch.noAccountTitle' : 'switch.title',
      accounts,
      total,
      search,
      page,
      pages: Math.max(1, Math.ceil(total / PER_PAGE)),
      currentId: sessionAccountId(req),
      returnTo,
      logoutUrl: ctx.host.urls.logout,
      catalogue: ctx.catalogue,
    });
  });

  const choose = handler(async (req: Request, res: Response) => {
    const user = req.user as HostUser;
    const raw = field(req.body, 'accountId', 12);
    const accountId = /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : 0;
    const membership = accountId ? await repo.membership(accountId, user.id) : undefined;
    if (!membership || !membership.accountOpen) {
      // Not a member, no such account, or closed: one answer for all, and the session stays put.
      flash(req, 'error', 'switch.notAvailable');
      res.redirect(303, `${req.baseUrl}/switch`);
      return;
    }
    const now = ctx.now();
    const previous = sessionAccountId(req);
    await ctx.knex.transaction(async (trx) => {
      await repo.touchLastLogin(accountId, user.id, now, trx);
      await writeLog(trx, userActor(req), { accountId, action: 'account_switched', targetUserId: user.id, details: { from: previous ?? null } }, now);
    });
    setSessionAccount(req, accountId, true);
    await ctx.emit('AccountSwitched', { userId: user.id, accountId, previousAccountId: previous ?? null });
    flash(req, 'success', 'switch.switched', { name: membership.accountName });
    res.redirect(303, safeReturnPath(req.body?.returnTo) ?? ctx.host.urls.home);
  });

  return { show, choose };
}
