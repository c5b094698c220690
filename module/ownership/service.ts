import type { Knex } from 'knex';
import type { Actor, ModuleContext } from '../context';
import { isOpenStatus } from '../host-schema';
import { Refusal, isUniqueViolation } from '../errors';
import { countUserActionsSince, writeLog } from '../log/repo';
import type { MembersRepo, MemberWithUser } from '../members/repo';
import type { MembersService } from '../members/service';
import { retryOnDeadlock } from '../deadlock';
import { endOffers, mailEnded, mailOfferStep, type EndReason, type EndedOffer } from './notices';
import type { OffersRepo, OwnershipOffer } from './repo';

const DAY = 24 * 3600_000;
/** Wrong passwords a person may give on hand-over forms within the window before they must wait. */
export const WRONG_PASSWORD_LIMIT = 5;
export const WRONG_PASSWORD_WINDOW_MS = 15 * 60_000;

type UserActor = Actor & { id: number };

/** What answering an offer came to: done, or found ended (by this request or an earlier one). */
export type Answer =
  | { kind: 'accepted'; offer: OwnershipOffer }
  | { kind: 'declined'; offer: OwnershipOffer }
  | { kind: 'withdrawn'; offer: OwnershipOffer }
  | { kind: 'ended'; offer: OwnershipOffer; reason: EndReason | null };

/**
 * Handing an account over: the owner offers it to a member after confirming their own password;
 * the member accepts (ownership moves as with staff's Make Owner) or declines; the owner may
 * withdraw. Every change takes the account's owner row lock first, so an accept, a withdrawal, a
 * staff move and a removal queue, and the unique key on open offers keeps one open per account.
 */
export class OwnershipService {
  constructor(
    private readonly ctx: ModuleContext,
    readonly offers: OffersRepo,
    private readonly members: MembersService,
    private readonly membersRepo: MembersRepo,
    private readonly links: { owner: () => string; member: () => string },
  ) {}

  /** The hand-over needs the host to check passwords; without it the module does not offer it. */
  available(): boolean {
    return typeof this.ctx.host.users.verifyPassword === 'function';
  }

  private transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return retryOnDeadlock(() => this.ctx.knex.transaction(work));
  }

  /** A member the owner may hand the account to: not found for other accounts' ids; the owner is refused. */
  async candidate(accountId: number, userId: number): Promise<MemberWithUser> {
    const member = await this.membersRepo.find(accountId, userId);
    const user = member ? await this.ctx.host.users.findById(userId) : undefined;
    if (!member || !user) throw Refusal.notFound();
    if (member.isOwner) throw Refusal.invalid('ownership.errors.self', {}, { userId: 'ownership.errors.self' });
    return { ...member, email: user.email, firstName: user.firstName, lastName: user.lastName };
  }

  private async accountIsOpen(accountId: number): Promise<boolean> {
    const [account] = await this.ctx.host.accounts.findByIds([accountId]);
    return Boolean(account && isOpenStatus(this.ctx.host.schema, account.status));
  }

  /**
   * The owner offers the account to a member, confirming with their password. A wrong password is
   * logged (`handover_password_wrong`) and changes nothing else; after WRONG_PASSWORD_LIMIT of them
   * within the window the form is refused before the password is checked, counted in the database
   * so every app instance sees the same count.
   */
  async offer(actor: UserActor, accountId: number, toUserId: number, password: string): Promise<OwnershipOffer> {
    const users = this.ctx.host.users;
    if (!users.verifyPassword) throw Refusal.notFound();
    await this.candidate(accountId, toUserId);
    const now = this.ctx.now();
    const wrong = await countUserActionsSince(
      this.ctx.knex,
      actor.id,
      ['handover_password_wrong'],
      now - WRONG_PASSWORD_WINDOW_MS,
    );
    if (wrong >= WRONG_PASSWORD_LIMIT)
      throw Refusal.rateLimited('ownership.errors.rate', { minutes: WRONG_PASSWORD_WINDOW_MS / 60_000 });
    if (!password)
      throw Refusal.invalid('ownership.errors.summary', {}, { password: 'ownership.errors.passwordRequired' });
    if (!(await users.verifyPassword(actor.id, password))) {
      await writeLog(
        this.ctx.knex,
        actor,
        { accountId, action: 'handover_password_wrong', targetUserId: toUserId },
        this.ctx.now(),
      );
      throw Refusal.invalid('ownership.errors.summary', {}, { password: 'ownership.errors.password' });
    }
    if (!(await this.accountIsOpen(accountId))) throw Refusal.conflict('ownership.errors.closed');
    const lifetime = this.ctx.settings().inviteLifetimeDays * DAY;
    let result: { offer: OwnershipOffer; ended: EndedOffer[] };
    try {
      result = await this.transaction(async (trx) => {
        const current = await this.membersRepo.lockOwner(trx, accountId);
        if (current?.userId !== actor.id) throw Refusal.forbidden('members.errors.ownerOnly');
        const target = await this.membersRepo.find(accountId, toUserId, trx);
        if (!target) throw Refusal.notFound();
        const at = this.ctx.now();
        const open = await this.offers.lockOpenOf(trx, accountId);
        let ended: EndedOffer[] = [];
        if (open && open.expiresAt > at) throw Refusal.conflict('ownership.errors.openOffer');
        if (open) ended = await endOffers(trx, this.offers, actor, [open], 'expired', at);
        const id = await this.offers.insert(trx, {
          accountId,
          fromUserId: actor.id,
          toUserId,
          now: at,
          expiresAt: at + lifetime,
        });
        await writeLog(
          trx,
          actor,
          { accountId, action: 'ownership_offered', targetUserId: toUserId, details: { offerId: id } },
          at,
        );
        return { offer: (await this.offers.find(id, trx))!, ended };
      });
    } catch (err) {
      // Another offer of the same account was made a moment ago: the unique key kept one.
      if (isUniqueViolation(err)) throw Refusal.conflict('ownership.errors.openOffer');
      throw err;
    }
    await mailEnded(this.ctx, result.ended);
    await mailOfferStep(this.ctx, result.offer, 'offered', {
      links: { owner: this.links.owner(), member: this.links.member() },
    });
    return result.offer;
  }

  /** The owner withdraws the account's open offer; one that had expired is ended as expired. */
  async withdraw(actor: UserActor, accountId: number): Promise<Answer> {
    const answer = await this.transaction(async (trx): Promise<Answer> => {
      const current = await this.membersRepo.lockOwner(trx, accountId);
      if (current?.userId !== actor.id) throw Refusal.forbidden('members.errors.ownerOnly');
      const offer = await this.offers.lockOpenOf(trx, accountId);
      if (!offer) throw Refusal.conflict('ownership.errors.noOpenOffer');
      const now = this.ctx.now();
      if (offer.expiresAt <= now) {
        await endOffers(trx, this.offers, actor, [offer], 'expired', now);
        return { kind: 'ended', offer, reason: 'expired' };
      }
      await this.offers.end(trx, offer.id, 'withdrawn', now);
      await writeLog(
        trx,
        actor,
        {
          accountId,
          action: 'ownership_offer_withdrawn',
          targetUserId: offer.toUserId,
          details: { offerId: offer.id },
        },
        now,
      );
      return { kind: 'withdrawn', offer };
    });
    if (answer.kind === 'ended') await mailEnded(this.ctx, [{ offer: answer.offer, reason: 'expired' }]);
    else await mailOfferStep(this.ctx, answer.offer, 'withdrawn');
    return answer;
  }

  /** An offer made to this person; other people's offers and unknown ids are not found alike. */
  private async offerTo(actor: UserActor, offerId: number): Promise<OwnershipOffer> {
    const offer = await this.offers.find(offerId);
    if (!offer || offer.toUserId !== actor.id) throw Refusal.notFound();
    return offer;
  }

  /**
   * Reads the offer again under the account's owner lock and ends it when it can no longer be
   * answered: expired, the account closed, the owner changed, or the member lost access.
   */
  private async stillOpen(
    trx: Knex.Transaction,
    actor: UserActor,
    offerId: number,
    accountOpen: boolean,
    current: Awaited<ReturnType<MembersRepo['lockOwner']>>,
  ): Promise<{ offer: OwnershipOffer } | Answer> {
    // Read under the locks (a locking read sees what is committed now, on MySQL too).
    const offer = await this.offers.lock(trx, offerId);
    if (!offer) throw Refusal.notFound();
    if (!offer.open) return { kind: 'ended', offer, reason: null };
    const now = this.ctx.now();
    let reason: EndReason | null = null;
    if (offer.expiresAt <= now) reason = 'expired';
    else if (!accountOpen) reason = 'closed';
    else if (current?.userId !== offer.fromUserId) reason = 'ownerChanged';
    else if (!(await this.membersRepo.find(offer.accountId, actor.id, trx))) reason = 'removed';
    if (!reason) return { offer };
    await endOffers(trx, this.offers, actor, [offer], reason, now);
    return { kind: 'ended', offer, reason };
  }

  /**
   * The chosen member accepts: the offer ends as accepted and ownership moves in the same
   * transaction, as staff's Make Owner moves it (the previous owner keeps All Permissions).
   */
  async accept(actor: UserActor, offerId: number): Promise<Answer> {
    const first = await this.offerTo(actor, offerId);
    const accountOpen = await this.accountIsOpen(first.accountId);
    const result = await this.transaction(async (trx) => {
      const current = await this.membersRepo.lockOwner(trx, first.accountId);
      // The member's row next, in the order a removal takes it, so the two queue instead of deadlocking.
      await this.membersRepo.lockMember(trx, first.accountId, actor.id);
      const state = await this.stillOpen(trx, actor, offerId, accountOpen, current);
      if ('kind' in state) return { answer: state, previousOwnerId: null };
      const now = this.ctx.now();
      await this.offers.end(trx, offerId, 'accepted', now);
      const moved = await this.members.moveOwnerLocked(trx, actor, first.accountId, actor.id, current, {
        keep: { kind: 'all' },
        offerId,
      });
      return { answer: { kind: 'accepted', offer: state.offer } as Answer, previousOwnerId: moved.previousOwnerId };
    });
    const { answer } = result;
    if (answer.kind === 'accepted') {
      await this.ctx.emit('AccountOwnerChanged', {
        accountId: answer.offer.accountId,
        userId: actor.id,
        previousOwnerId: result.previousOwnerId,
        actor,
      });
      await mailOfferStep(this.ctx, answer.offer, 'accepted');
    } else if (answer.kind === 'ended' && answer.reason) {
      await mailEnded(this.ctx, [{ offer: answer.offer, reason: answer.reason }]);
    }
    return answer;
  }

  /** The chosen member declines: the offer ends and the owner stays the owner. */
  async decline(actor: UserActor, offerId: number): Promise<Answer> {
    const first = await this.offerTo(actor, offerId);
    const answer = await this.transaction(async (trx): Promise<Answer> => {
      // The owner row first, as every change of the account's ownership takes it.
      await this.membersRepo.lockOwner(trx, first.accountId);
      const offer = await this.offers.lock(trx, offerId);
      if (!offer) throw Refusal.notFound();
      if (!offer.open) return { kind: 'ended', offer, reason: null };
      const now = this.ctx.now();
      if (offer.expiresAt <= now) {
        await endOffers(trx, this.offers, actor, [offer], 'expired', now);
        return { kind: 'ended', offer, reason: 'expired' };
      }
      await this.offers.end(trx, offerId, 'declined', now);
      await writeLog(
        trx,
        actor,
        {
          accountId: offer.accountId,
          action: 'ownership_offer_declined',
          targetUserId: actor.id,
          details: { offerId },
        },
        now,
      );
      return { kind: 'declined', offer };
    });
    if (answer.kind === 'declined') await mailOfferStep(this.ctx, answer.offer, 'declined');
    else if (answer.kind === 'ended' && answer.reason)
      await mailEnded(this.ctx, [{ offer: answer.offer, reason: answer.reason }]);
    return answer;
  }
}
