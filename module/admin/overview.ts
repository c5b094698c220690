import type { Request, Response } from 'express';
import type { Deps } from '../deps';

import { renderPage } from '../render';
import { TABLES } from '../tables';

/** The module's admin home: totals and the two searches staff start from. */
export function overviewHandler(deps: Deps) {
  const { ctx } = deps;
  const count = async (table: string, where: (q: any) => any = (q) => q) =>
    Number(((await where(ctx.knex(table)).count({ n: '*' }).first()) as { n: number } | undefined)?.n ?? 0);
  return async (req: Request, res: Response) => {
    renderPage(ctx, req, res, 'admin/overview', {
      title: 'admin.title',
      memberships: await count(TABLES.members),
      pendingInvites: await count(TABLES.invites, (q) => q.whereNotNull('pending_email')),
    });
  };
}
