import type { Knex } from 'knex';
import type { Actor, ModuleContext } from '../context';
import { formatDateTime } from '../i18n';
import { writeLog } from '../log/repo';
import { readerLocale, sendNoticeQuietly, type Notice } from '../mail/notice';
import type { OfferOutcome, OffersRepo, OwnershipOffer } from './repo';

/** The steps of an offer both people hear of by e-mail. */
export type OfferStep = 'offered' | 'accepted' | 'declined' | 'withdrawn' | 'ended';

/** Why an offer ended without an answer: an outcome other than accepted, declined or withdrawn. */
export type EndReason = Extract<OfferOutcome, 'expired' | 'removed' | 'ownerChanged' | 'closed'>;

/** An offer that ended inside a transaction, to be told to both people after the commit. */
export interface EndedOffer {
  offer: OwnershipOffer;
  reason: EndReason;
}

/**
 * Ends open offers that can no longer be accepted (the member lost access, the owner changed another
 * way, the offer expired, the account closed), each logged as `ownership_offer_ended` with its reason.
 */
export async function endOffers(
  trx: Knex.Transaction,
  repo: OffersRepo,
  actor: Actor,
  offers: OwnershipOffer[],
  reason: EndReason,
  now: number,
): Promise<EndedOffer[]> {
  const ended: EndedOffer[] = [];
  for (const offer of offers) {
    if (!(await repo.end(trx, offer.id, reason, now))) continue;
    await writeLog(
      trx,
      actor,
      {
        accountId: offer.accountId,
        action: 'ownership_offer_ended',
        targetUserId: offer.toUserId,
        details: { offerId: offer.id, reason },
      },
      now,
    );
    ended.push({ offer, reason });
  }
  return ended;
}

/** The offer itself reads differently for the owner who made it and the member it was made to. */
const OFFERED = {
  owner: {
    subject: 'email.ownership.offered.ownerSubject',
    line: 'email.ownership.offered.owner',
    action: 'email.ownership.offered.ownerAction',
  },
  member: {
    subject: 'email.ownership.offered.memberSubject',
    line: 'email.ownership.offered.member',
    action: 'email.ownership.offered.memberAction',
  },
};

/**
 * Tells the owner who made an offer and the member it was made to about one step, each in their
 * own language; sent after the commit, a failure only logged. `links` are the pages each one acts on.
 */
export async function mailOfferStep(
  ctx: ModuleContext,
  offer: OwnershipOffer,
  step: OfferStep,
  options: { reason?: EndReason; links?: { owner: string; member: string } } = {},
): Promise<void> {
  const [owner, member, [account]] = await Promise.all([
    ctx.host.users.findById(offer.fromUserId),
    ctx.host.users.findById(offer.toUserId),
    ctx.host.accounts.findByIds([offer.accountId]),
  ]);
  if (!account) return;
  const ownerName = owner ? ctx.host.users.displayName(owner) : '';
  const memberName = member ? ctx.host.users.displayName(member) : '';
  for (const [reader, side] of [
    [owner, 'owner'],
    [member, 'member'],
  ] as const) {
    if (!reader) continue;
    const locale = readerLocale(reader);
    const params = {
      account: account.name,
      owner: ownerName,
      member: memberName,
      expires: `${formatDateTime(locale, offer.expiresAt, 'UTC')} UTC`,
    };
    const notice: Notice = {
      to: reader.email,
      locale,
      subjectKey: `email.ownership.${step}.subject`,
      params,
      lines: [],
    };
    if (step === 'offered') {
      const keys = OFFERED[side];
      notice.subjectKey = keys.subject;
      notice.lines = [{ key: keys.line, params }];
      if (options.links) notice.action = { key: keys.action, url: options.links[side] };
    } else if (step === 'ended') {
      notice.lines = [{ key: `email.ownership.ended.${options.reason ?? 'expired'}`, params }];
    } else {
      notice.lines = [{ key: `email.ownership.${step}.body`, params }];
    }
    await sendNoticeQuietly(ctx, notice, `ownership ${step} (offer ${offer.id})`);
  }
}

/** Tells both people of each offer that ended with another change. */
export async function mailEnded(ctx: ModuleContext, ended: EndedOffer[]): Promise<void> {
  for (const { offer, reason } of ended) await mailOfferStep(ctx, offer, 'ended', { reason });
}
