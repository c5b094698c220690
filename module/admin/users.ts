import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { Refusal } from '../errors';
import { field, idParam, paging } from '../http';
import { renderPage, tOf } from '../render';
import type { AdminRepo } from './repo';
import { nameOf } from '../request';

const PER_PAGE = 25;

/** Finding a user by e-mail or name, and the accounts that user can open. */
export function userHandlers(deps: Deps, admin: AdminRepo) {
  const { ctx } = deps;

  const search = async (req: Request, res: Response) => {
    const q = field(req.query, 'q', 100);
    const total = q ? await admin.countUsers(q) : 0;
    const { page, pages, offset } = paging(req.query.page, total, PER_PAGE);
    const rows = q ? await admin.users(q, offset, PER_PAGE) : [];
    renderPage(ctx, req, res, 'admin/users', { title: 'admin.users.title', q, rows, total, page, pages });
  };

  const show = async (req: Request, res: Response) => {
    const user = await admin.user(idParam(req.params.userId));
    if (!user) throw Refusal.notFound();
    const total = await deps.accountsRepo.count(user.id);
    const { page, pages, offset } = paging(req.query.page, total, PER_PAGE);
    const t = tOf(req);
    const rows = (await deps.accountsRepo.page(user.id, '', offset, PER_PAGE)).map((m) => ({
      accountId: m.accountId,
      accountName: m.accountName,
      accountOpen: m.accountOpen,
      isOwner: m.isOwner,
      access: ctx.catalogue.summary(t, m),
      lastLoginAt: m.lastLoginAt,
      since: m.createdAt,
    }));
    const name = nameOf(ctx, user);
    renderPage(ctx, req, res, 'admin/user', { title: 'admin.user.title', titleParams: { name }, user, name, rows, total, page, pages });
  };

  return { search, show };
}
