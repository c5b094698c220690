import type { Request, Response } from 'express';
import type { Deps } from '../deps';

import { renderPage } from '../render';

/** The module's admin home: totals and the two searches staff start from. */
export function overviewHandler(deps: Deps) {
  const { ctx, membersRepo, invitesService } = deps;
  return async (req: Request, res: Response) => {
    renderPage(ctx, req, res, 'admin/overview', {
      title: 'admin.title',
      memberships: await membersRepo.countAll(),
      pendingInvites: await invitesService.repo.countAllPending(),
    });
  };
}
