import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { AccountContext } from '../guard';
import { Refusal } from '../errors';
import { idParam, userActor } from '../http';
import { refusable } from '../refusal-http';
import { renderPage } from '../render';
import { nameOf, userOf } from '../request';
import { flash } from '../session';
import { enterAccount } from '../accounts/session';
import type { Answer } from './service';

const OFFERS_SHOWN = 20;

function rawPassword(body: unknown): string {
  const value = (body as Record<string, unknown> | undefined)?.password;
  return typeof value === 'string' ? value.slice(0, 1024) : '';
}

/**
 * Hand over ownership: the owner's page (offer to a member with their password, withdraw) and the
 * chosen member's page of offers made to them (accept, decline).
 */
export function ownershipHandlers(deps: Deps) {
  const { ctx, ownership, membersRepo, accountsRepo } = deps;
  const account = (res: Response) => res.locals.account as AccountContext;

  /** Without the host's password check there is no hand-over: its pages are not found. */
  const requireAvailable = () => {
    if (!ownership.available()) throw Refusal.notFound();
  };

  /** The account's open offer as the owner's pages show it, with the member's name. */
  async function openOfferView(accountId: number) {
    const offer = await ownership.offers.openOf(accountId);
    if (!offer) return null;
    const to = await ctx.host.users.findById(offer.toUserId);
    return {
      ...offer,
      toName: to ? ctx.host.users.displayName(to) : '',
      toEmail: to?.email ?? '',
      expired: offer.expiresAt <= ctx.now(),
    };
  }

  async function renderOffer(
    req: Request,
    res: Response,
    userId: number | null,
    refusal: Refusal | null = null,
    status = 200,
  ): Promise<void> {
    const a = account(res);
    const candidate = userId === null ? null : await ownership.candidate(a.id, userId);
    renderPage(
      ctx,
      req,
      res,
      'client/ownership',
      {
        title: 'ownership.title',
        openOffer: await openOfferView(a.id),
        candidate: candidate
          ? { userId: candidate.userId, name: nameOf(ctx, candidate), email: candidate.email }
          : null,
        lifetimeDays: ctx.settings().inviteLifetimeDays,
        refusal: refusal ? { messageKey: refusal.messageKey, params: refusal.params } : null,
        errors: refusal?.fieldErrors ?? {},
      },
      status,
    );
  }

  /** GET /ownership: the open offer (withdraw), or the confirmation for the member in `?userId=`. */
  const show = async (req: Request, res: Response) => {
    requireAvailable();
    const raw = req.query.userId;
    await renderOffer(req, res, raw === undefined ? null : idParam(raw));
  };

  const offer = async (req: Request, res: Response) => {
    requireAvailable();
    const userId = idParam((req.body as Record<string, unknown> | undefined)?.userId);
    const a = account(res);
    await refusable(
      async () => {
        await ownership.offer(userActor(req), a.id, userId, rawPassword(req.body));
        const to = await ownership.candidate(a.id, userId);
        flash(req, 'success', 'ownership.offered', { name: nameOf(ctx, to), account: a.name });
        res.redirect(303, `${req.baseUrl}/users`);
      },
      (refused, status) => renderOffer(req, res, userId, refused, status),
    );
  };

  const withdraw = async (req: Request, res: Response) => {
    requireAvailable();
    const answer = await ownership.withdraw(userActor(req), account(res).id);
    if (answer.kind === 'withdrawn') flash(req, 'success', 'ownership.withdrawn');
    else flash(req, 'info', 'ownership.ended.expired');
    res.redirect(303, `${req.baseUrl}/users`);
  };

  /** GET /ownership/offers: the open offers made to the signed-in person, in any of their accounts. */
  const offers = async (req: Request, res: Response) => {
    requireAvailable();
    const user = userOf(req)!;
    const rows = (await ownership.offers.openTo(user.id, ctx.now(), OFFERS_SHOWN)).map((o) => ({
      ...o,
      fromName: nameOf(ctx, {
        id: o.fromUserId,
        email: o.fromEmail,
        firstName: o.fromFirstName,
        lastName: o.fromLastName,
      }),
    }));
    renderPage(ctx, req, res, 'client/ownership-offers', { title: 'ownership.offers.title', offers: rows });
  };

  /** An answer that found the offer ended: said on a page of its own (409), nothing changed by it. */
  function refuseEnded(answer: Answer & { kind: 'ended' }): never {
    throw Refusal.conflict(`ownership.ended.${answer.reason ?? answer.offer.outcome ?? 'expired'}`);
  }

  const accept = async (req: Request, res: Response) => {
    requireAvailable();
    const user = userOf(req)!;
    const answer = await ownership.accept(userActor(req), idParam(req.params.offerId));
    // A second click after the first one went through: the same outcome, said again.
    if (answer.kind === 'ended' && answer.offer.outcome !== 'accepted') refuseEnded(answer);
    const accountId = answer.offer.accountId;
    const [found] = await ctx.host.accounts.findByIds([accountId]);
    const others = await accountsRepo.openAccountIds(user.id, 2);
    await enterAccount(ctx, membersRepo, req, {
      userId: user.id,
      accountId,
      how: 'fallback',
      otherAccounts: others.length > 1,
    });
    flash(req, 'success', 'ownership.accepted', { account: found?.name ?? '' });
    res.redirect(303, `${req.baseUrl}/users`);
  };

  const decline = async (req: Request, res: Response) => {
    requireAvailable();
    const answer = await ownership.decline(userActor(req), idParam(req.params.offerId));
    if (answer.kind === 'ended' && answer.offer.outcome !== 'declined') refuseEnded(answer);
    flash(req, 'info', 'ownership.declined');
    res.redirect(303, `${req.baseUrl}/ownership/offers`);
  };

  return { show, offer, withdraw, offers, accept, decline };
}
