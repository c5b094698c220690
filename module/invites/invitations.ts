import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { idParam, userActor } from '../http';
import { renderPage, tOf } from '../render';
import { userOf } from '../request';
import { flash, sessionAccountId } from '../session';
import { toAccountContext } from '../guard';
import { refusable } from '../refusal-http';
import type { Refusal } from '../errors';
import { enterJoined } from './handlers';

/**
 * The signed-in person's own Invitations page: the invitations addressed to their e-mail address,
 * in any account, each with Accept and Decline. Works for a person with no account at all.
 */
export function invitationsHandlers(deps: Deps) {
  const { ctx, invitesService, accountsRepo } = deps;
  const pagePath = (req: Request) => `${req.baseUrl}/invitations`;

  async function render(req: Request, res: Response, refused?: Refusal, status = 200) {
    const user = userOf(req)!;
    // In an account still open to the person: the layout shows its menus.
    const chosen = sessionAccountId(req);
    const current = chosen !== undefined ? await accountsRepo.current(chosen, user.id) : undefined;
    if (current?.accountOpen) res.locals.account = toAccountContext(ctx, current);
    const t = tOf(req);
    const invitations = (await invitesService.addressedTo(user)).map((i) => ({
      id: i.id,
      accountName: i.accountName,
      inviterName: i.inviterName,
      access: ctx.catalogue.summary(t, i),
      expiresAt: i.expiresAt,
    }));
    res.set('Cache-Control', 'no-store');
    renderPage(
      ctx,
      req,
      res,
      'client/invitations',
      {
        title: 'invitations.title',
        email: user.email,
        invitations,
        error: refused
          ? { key: refused.kind === 'notFound' ? 'invitations.notOpen' : refused.messageKey, params: refused.params }
          : null,
      },
      status,
    );
  }

  const list = (req: Request, res: Response) => render(req, res);

  // An invitation that is not the person's, or no longer open (taken a moment ago, another tab),
  // shows the page again with a word why, as 404.
  const accept = async (req: Request, res: Response) => {
    const user = userOf(req)!;
    await refusable(
      async () =>
        enterJoined(
          deps,
          req,
          res,
          await invitesService.acceptAddressed(userActor(req), user, idParam(req.params.inviteId)),
          user,
        ),
      (refused, status) => render(req, res, refused, status),
      ['notFound', 'conflict'],
    );
  };

  const decline = async (req: Request, res: Response) => {
    await refusable(
      async () => {
        const { accountName } = await invitesService.decline(
          userActor(req),
          userOf(req)!,
          idParam(req.params.inviteId),
        );
        flash(req, 'success', 'invitations.declined', { account: accountName });
        res.redirect(303, pagePath(req));
      },
      (refused, status) => render(req, res, refused, status),
      ['notFound'],
    );
  };

  return { list, accept, decline };
}
