import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { Refusal } from '../errors';
import { idParam } from '../http';
import { pagerLinks, readCursor, readPage } from '../keyset';
import { parseRecentKey, recentKeyOf } from '../accounts/repo';
import { renderPage, tOf } from '../render';
import type { AdminRepo } from './repo';
import { nameOf } from '../request';
import { searchPage } from './search';

const PER_PAGE = 25;

/** Finding a user by e-mail or name, and the accounts that user can open. */
export function userHandlers(deps: Deps, admin: AdminRepo) {
  const { ctx } = deps;

  const search = searchPage(
    ctx,
    'admin/users',
    'admin.users.title',
    { count: (q) => admin.countUsers(q), page: (q, offset, limit) => admin.users(q, offset, limit) },
    PER_PAGE,
  );

  const show = async (req: Request, res: Response) => {
    const user = await admin.user(idParam(req.params.userId));
    if (!user) throw Refusal.notFound();
    const total = await deps.accountsRepo.count(user.id, '', true);
    const page = await readPage(readCursor(req.query, parseRecentKey), (cursor) =>
      deps.accountsRepo.page(user.id, '', cursor, PER_PAGE, true),
    );
    const t = tOf(req);
    const rows = page.rows.map((m) => ({
      accountId: m.accountId,
      accountName: m.accountName,
      accountOpen: m.accountOpen,
      isOwner: m.isOwner,
      access: ctx.catalogue.summary(t, m),
      lastLoginAt: m.lastLoginAt,
      since: m.createdAt,
    }));
    const name = nameOf(ctx, user);
    renderPage(ctx, req, res, 'admin/user', {
      title: 'admin.user.title',
      titleParams: { name },
      user,
      name,
      rows,
      total,
      pager: pagerLinks(page, recentKeyOf),
    });
  };

  return { search, show };
}
