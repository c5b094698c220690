import type { Knex } from 'knex';
import type { Actor, ModuleContext } from '../context';
import { Refusal, isUniqueViolation } from '../errors';
import { retryOnDeadlock } from '../deadlock';
import { recentSwitch, writeLog } from '../log/repo';
import { MembersRepo, type Member } from './repo';
import { ENDING_NOTICE_MS } from './until';
import type { InvitesRepo } from '../invites/repo';
import type { MemberNotices } from './notices';
import { accessDetail, allows, grantRefusal, parseStoredPermissions, storedKeys, type Grantor } from '../permissions';
import type { OffersRepo } from '../ownership/repo';
import { endOffers, mailEnded, type EndedOffer } from '../ownership/notices';
import { sameScopes, scopesFor, storeScopes, type ResourceScopes } from '../scopes';

/** A switch into the same account by the same person is logged at most this often. */
export const SWITCH_LOG_INTERVAL_MS = 3600_000;

export interface AccessChoice {
  all: boolean;
  keys: string[];
  /** The chosen services and domains; left out, a save keeps the member's own (those of kinds still held). */
  scopes?: ResourceScopes;
}

/** The chosen access is exactly the member's: All Permissions, or the same set of keys. */
export function sameAccess(member: { allPermissions: boolean; permissions: string[] }, choice: AccessChoice): boolean {
  if (choice.all !== member.allPermissions) return false;
  // With All Permissions only the keys it does not imply (`manageusers`) tell two choices apart.
  const had = storedKeys(member.allPermissions, member.permissions);
  const wants = storedKeys(choice.all, choice.keys);
  return had.length === wants.length && had.every((k) => wants.includes(k));
}

/** Refuses, as forbidden, a choice that grants more than the grantor holds; see `grantRefusal`. */
export function requireGrantable(
  grantor: Grantor,
  choice: AccessChoice & { accessUntil?: number | null },
  before: {
    allPermissions: boolean;
    permissions: string[];
    scopes?: ResourceScopes;
    accessUntil?: number | null;
  } | null,
): void {
  const refusal = grantRefusal(grantor, choice, before);
  if (refusal) throw Refusal.forbidden(refusal);
}

/** What the previous owner keeps when ownership moves on. */
export type PreviousOwnerAccess = { kind: 'all' } | { kind: 'earlier' } | { kind: 'choose'; keys: string[] };

/** The set an owner held as a user before becoming owner, as stored; null when none was kept. */
export function earlierPermissions(stored: unknown): string[] | null {
  if (stored === null || stored === undefined || stored === '') return null;
  const keys = parseStoredPermissions(stored);
  return keys.length > 0 ? keys : null;
}

/** What to keep aside for a member who becomes owner: their chosen set; nothing for All Permissions. */
function earlierOf(member: { allPermissions: boolean; permissions: string[] }): string[] | null {
  return member.allPermissions || member.permissions.length === 0 ? null : member.permissions;
}

/** The access the previous owner is left with; "earlier" without a kept set is refused as invalid. */
function resultingAccess(keep: PreviousOwnerAccess, earlier: string[] | null): AccessChoice {
  if (keep.kind === 'all') return { all: true, keys: [] };
  if (keep.kind === 'choose') return { all: false, keys: keep.keys };
  if (!earlier) throw Refusal.invalid('admin.owner.errors.noEarlier');
  return { all: false, keys: earlier };
}

/**
 * The rules of membership: who may hold which access to an account, ownership, removal. Every
 * change writes its log entry in the same transaction and fires its event after the commit.
 */
export class MembersService {
  constructor(
    private readonly ctx: ModuleContext,
    readonly repo: MembersRepo,
    /** The invitations that end with a member's access or go with a deleted account or user. */
    private readonly invites: InvitesRepo,
    /** The e-mails telling a person their own access changed, sent after each change commits. */
    private readonly notices: MemberNotices,
    /** Ownership offers, which end when their member loses access or the owner changes another way. */
    private readonly offers: OffersRepo,
  ) {}

  /**
   * Every change of memberships runs whole again when the database rolled it back as a deadlock
   * victim or (Galera) lost certification to a change committed on another node.
   */
  private async inTransaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return retryOnDeadlock(() => this.ctx.knex.transaction(fn));
  }

  /**
   * A member of the account other than its owner, or not found (also for ids of other accounts).
   * A user manager never changes their own access here (leaving is its own action).
   */
  private async requireManageable(
    trx: Knex.Transaction,
    accountId: number,
    userId: number,
    grantor: Grantor = { unlimited: true },
  ): Promise<Member> {
    const member = await this.repo.find(accountId, userId, trx);
    if (!member) throw Refusal.notFound();
    if (member.isOwner) throw Refusal.forbidden('members.errors.ownerFixed');
    if (!grantor.unlimited && grantor.userId === userId) throw Refusal.forbidden('members.errors.notYourself');
    return member;
  }

  /**
   * Who acts on the account's users, for the limits on granting (`grantRefusal`), read in the
   * caller's transaction: staff and the system are unlimited, so is the owner; any other person
   * must hold `manageusers` now (not found when they are no member). A person's changes take the
   * owner row's lock first and then their own row's, so the changes of the owner and the managers
   * queue, and each is checked against the access its actor holds at that moment. A caller that
   * has locked the owner row already in this transaction passes what it read (`locked.owner`).
   */
  async grantorIn(
    trx: Knex.Transaction,
    actor: Actor,
    accountId: number,
    locked?: { owner: { userId: number } | undefined },
  ): Promise<Grantor> {
    if (actor.type !== 'user' || actor.id === null) return { unlimited: true };
    const owner = locked ? locked.owner : await this.repo.lockOwner(trx, accountId);
    // The owner's row is the one just locked and read: nothing more to lock or read.
    if (owner?.userId === actor.id) return { unlimited: true };
    const member = await this.repo.find(accountId, actor.id, trx, true);
    if (!member) throw Refusal.notFound();
    if (member.isOwner) return { unlimited: true };
    if (!allows(member, 'manageusers')) throw Refusal.forbidden('members.errors.managersOnly');
    return {
      unlimited: false,
      userId: member.userId,
      allPermissions: member.allPermissions,
      permissions: member.permissions,
      scopes: scopesFor({ all: member.allPermissions, keys: member.permissions }, member.scopes),
      accessUntil: member.accessUntil,
    };
  }

  /**
   * Saves a member's access; `false` when it is what the member has now. That is decided on the
   * locked row, so of two saves at once the later one is compared with what the first one left.
   */
  async setPermissions(
    actor: Actor,
    accountId: number,
    userId: number,
    choice: AccessChoice,
    /** The new end of access (null: none); undefined leaves it as it is. */
    accessUntil?: number | null,
  ): Promise<boolean> {
    const before = await this.inTransaction(async (trx) => {
      const grantor = await this.grantorIn(trx, actor, accountId);
      // Saves of one member queue here, so each logs the access the save before it left.
      await this.repo.lockMember(trx, accountId, userId);
      // Decided on the locked row too: someone made owner since the form was read gets no end date.
      if (accessUntil !== undefined && accessUntil !== null && (await this.repo.find(accountId, userId, trx))?.isOwner)
        throw Refusal.invalid('until.errors.owner', {}, { accessUntil: 'until.errors.owner' });
      const member = await this.requireManageable(trx, accountId, userId, grantor);
      const scopes = scopesFor(choice, choice.scopes ?? member.scopes);
      requireGrantable(grantor, { ...choice, scopes, accessUntil }, member);
      const scopesBefore = scopesFor({ all: member.allPermissions, keys: member.permissions }, member.scopes);
      const scopesSame = sameScopes(scopesBefore, scopes);
      const untilChanged = accessUntil !== undefined && accessUntil !== member.accessUntil;
      // Nothing to record: no log entry and no event for a form saved as it was.
      if (sameAccess(member, choice) && scopesSame && !untilChanged) return undefined;
      const now = this.ctx.now();
      await this.repo.updateAccess(trx, member.id, choice.all, choice.keys, scopes, now, {
        value: accessUntil ?? null,
        changed: untilChanged,
      });
      await writeLog(
        trx,
        actor,
        {
          accountId,
          action: 'permissions_changed',
          targetUserId: userId,
          details: {
            from: accessDetail({ all: member.allPermissions, keys: member.permissions }),
            to: accessDetail(choice),
            ...(scopesSame ? {} : { scopesFrom: scopesBefore, scopesTo: scopes }),
            ...(untilChanged ? { untilFrom: member.accessUntil, untilTo: accessUntil } : {}),
          },
        },
        now,
      );
      return { member, accessChanged: !sameAccess(member, choice) };
    });
    if (!before) return false;
    if (!before.accessChanged) return true;
    await this.ctx.emit('AccountUserPermissionsChanged', {
      accountId,
      userId,
      allPermissions: choice.all,
      permissions: choice.keys,
      previous: { allPermissions: before.member.allPermissions, permissions: before.member.permissions },
      actor,
    });
    await this.notices.permissionsChanged(actor, accountId, userId, choice);
    return true;
  }

  /**
   * A membership whose end date has passed, noticed by a request or the periodic pass: logged as
   * `access_expired` once. The conditional update lets exactly one of any concurrent noticers
   * (in any app instance) write the entry; the others change nothing.
   */
  async noteAccessEnded(member: Pick<Member, 'id' | 'accountId' | 'userId' | 'accessUntil'>): Promise<boolean> {
    const until = member.accessUntil;
    if (until === null) return false;
    return this.inTransaction(async (trx) => {
      const now = this.ctx.now();
      if (!(await this.repo.claimExpiredLog(trx, member.id, until, now))) return false;
      await writeLog(
        trx,
        { type: 'system', id: null, name: 'system' },
        { accountId: member.accountId, action: 'access_expired', targetUserId: member.userId, details: { until } },
        now,
      );
      return true;
    });
  }

  /** At sign-in: the person's memberships that ended unnoticed are logged now (they are not offered). */
  async noteEndedOf(userId: number): Promise<void> {
    for (const member of await this.repo.endedUnlogged(this.ctx.now(), 20, userId)) await this.noteAccessEnded(member);
  }

  /**
   * The periodic pass (each app instance runs it; the host may call it too): logs memberships
   * that ended unnoticed and, with `notifyAccessEnding`, e-mails people whose access ends within
   * three days, once per end date (claimed by a conditional update before sending).
   */
  async sweepAccessEnding(limit = 100): Promise<{ expired: number; reminded: number }> {
    const now = this.ctx.now();
    let expired = 0;
    for (const member of await this.repo.endedUnlogged(now, limit))
      if (await this.noteAccessEnded(member)) expired += 1;
    let reminded = 0;
    if (this.ctx.settings().notifyAccessEnding) {
      for (const member of await this.repo.endingBetween(now, now + ENDING_NOTICE_MS, limit)) {
        if (member.accessUntil === null) continue;
        if (!(await this.repo.claimEndingNotice(member.id, member.accessUntil, now))) continue;
        await this.notices.accessEnding(member.accountId, member.userId, member.accessUntil);
        reminded += 1;
      }
    }
    return { expired, reminded };
  }

  async remove(actor: Actor, accountId: number, userId: number, action: 'removed' | 'left' = 'removed'): Promise<void> {
    const { cancelled, ended } = await this.inTransaction(async (trx) => {
      // Leaving is the person's own choice; a removal is checked like a permission save.
      const grantor: Grantor = action === 'removed' ? await this.grantorIn(trx, actor, accountId) : { unlimited: true };
      // The same lock as a permission save, taken in the same order, so the two queue instead of deadlocking.
      await this.repo.lockMember(trx, accountId, userId);
      const member = await this.requireManageable(trx, accountId, userId, grantor);
      const now = this.ctx.now();
      await this.repo.deleteMember(trx, member.id);
      await writeLog(trx, actor, { accountId, action, targetUserId: userId }, now);
      const invites = await this.cancelInvitesOf(trx, actor, accountId, userId, now);
      // An offer of ownership made to someone who no longer has access can never be accepted.
      const offers = await this.offers.lockOpenInvolving(trx, userId, accountId);
      return { cancelled: invites, ended: await endOffers(trx, this.offers, actor, offers, 'removed', now) };
    });
    await this.ctx.emit('AccountUserRemoved', { accountId, userId, left: action === 'left', actor });
    if (action === 'removed') await this.notices.accessRemoved(actor, accountId, userId);
    for (const invite of cancelled)
      await this.ctx.emit('AccountUserInviteCancelled', { accountId, inviteId: invite.id, email: invite.email, actor });
    await mailEnded(this.ctx, ended);
  }

  /** Someone who lost access can no longer let others in: their pending invitations end with them. */
  private async cancelInvitesOf(
    trx: Knex.Transaction,
    actor: Actor,
    accountId: number,
    userId: number,
    now: number,
  ): Promise<Array<{ id: number; email: string }>> {
    const rows = await this.invites.lockPendingBy(trx, accountId, userId);
    for (const row of rows) {
      await this.invites.cancel(trx, row.id, now);
      await writeLog(
        trx,
        actor,
        {
          accountId,
          action: 'invite_cancelled',
          targetEmail: row.email,
          details: { inviteId: row.id, inviterLostAccess: true },
        },
        now,
      );
    }
    return rows;
  }

  /** A user leaves an account on their own, when the admin allows it; the owner never can. */
  async leave(actor: Actor & { id: number }, accountId: number): Promise<void> {
    if (!this.ctx.settings().allowLeave) throw Refusal.forbidden('members.errors.leaveDisabled');
    await this.remove(actor, accountId, actor.id, 'left');
  }

  /**
   * Switch Account into another account: the membership's last login moves and the switch is
   * logged, in one transaction.
   */
  async recordSwitch(actor: Actor, userId: number, accountId: number, previousAccountId: number | null): Promise<void> {
    const now = this.ctx.now();
    await this.inTransaction(async (trx) => {
      await this.repo.touchLastLogin(accountId, userId, now, trx);
      // At most one entry an hour per person and account, so switching back and forth cannot bury the owner's log.
      const recent = await recentSwitch(trx, userId, accountId, now - SWITCH_LOG_INTERVAL_MS);
      if (!recent)
        await writeLog(
          trx,
          actor,
          { accountId, action: 'account_switched', targetUserId: userId, details: { from: previousAccountId } },
          now,
        );
    });
    await this.ctx.emit('AccountSwitched', { userId, accountId, previousAccountId });
  }

  /**
   * Gives an existing user access directly (admin, seed, invitation acceptance). An existing
   * member keeps exactly what they had: a second grant never raises access.
   */
  async add(
    actor: Actor,
    input: {
      accountId: number;
      userId: number;
      choice: AccessChoice;
      invitedBy?: number | null;
      /** The end of the access given (an invitation's end date); none when absent. */
      accessUntil?: number | null;
      /** When the person enters the account as it is added (an accepted invitation); absent: not yet. */
      lastLoginAt?: number;
      action?: string;
      targetEmail?: string;
    },
    trx?: Knex.Transaction,
  ): Promise<{ created: boolean }> {
    const run = async (db: Knex.Transaction): Promise<{ created: boolean }> => {
      const existing = await this.repo.find(input.accountId, input.userId, db);
      if (existing) return { created: false };
      const now = this.ctx.now();
      const scopes = scopesFor(input.choice, input.choice.scopes ?? {});
      await this.repo.insert(db, {
        accountId: input.accountId,
        userId: input.userId,
        isOwner: false,
        allPermissions: input.choice.all,
        permissions: input.choice.keys,
        scopes,
        invitedBy: input.invitedBy ?? null,
        accessUntil: input.accessUntil ?? null,
        lastLoginAt: input.lastLoginAt,
        now,
      });
      await writeLog(
        db,
        actor,
        {
          accountId: input.accountId,
          action: input.action ?? 'user_added',
          targetUserId: input.userId,
          targetEmail: input.targetEmail ?? null,
          details: {
            permissions: accessDetail(input.choice),
            ...(storeScopes(scopes) ? { scopes } : {}),
          },
        },
        now,
      );
      return { created: true };
    };
    try {
      return trx ? await run(trx) : await this.inTransaction(run);
    } catch (err) {
      // Another request added the same membership first: the outcome is the same.
      if (isUniqueViolation(err)) return { created: false };
      throw err;
    }
  }

  /**
   * Moves ownership to another member. The previous owner stays a user of the account with what
   * `keep` says: All Permissions (the default), the set they held before they became owner, or a
   * chosen set. The previous owner's flag is cleared before the new one is set, inside one
   * transaction, so the unique index sees at most one owner at every moment; a concurrent move
   * fails on it and is retried by the caller, or refused as a conflict. The new owner's own set,
   * if they had one, is kept aside (`before_owner_permissions`) for when ownership moves on from them.
   * `expectedOwnerId` (when given) is the owner the person deciding saw: another owner by now
   * refuses as a conflict, so a choice made about one person is never applied to another.
   */
  async makeOwner(
    actor: Actor,
    accountId: number,
    userId: number,
    options: { keep?: PreviousOwnerAccess; expectedOwnerId?: number | null } = {},
  ): Promise<{ previousOwnerId: number | null; changed: boolean; previousOwnerAccess: AccessChoice | null }> {
    const { ended, ...result } = await this.inTransaction(async (trx) => {
      // Lock the account's owner row first so two moves queue instead of interleaving.
      const current = await this.repo.lockOwner(trx, accountId);
      return this.moveOwnerLocked(trx, actor, accountId, userId, current, options);
    });
    if (result.changed) {
      await this.ctx.emit('AccountOwnerChanged', { accountId, userId, previousOwnerId: result.previousOwnerId, actor });
      // Staff's moves pass here; an accepted hand-over tells both people in its own e-mail instead.
      const { previousOwnerId, previousOwnerAccess } = result;
      await this.notices.ownerChanged(
        accountId,
        userId,
        previousOwnerId !== null && previousOwnerAccess
          ? { userId: previousOwnerId, access: previousOwnerAccess }
          : null,
      );
    }
    await mailEnded(this.ctx, ended);
    return result;
  }

  /**
   * The move itself, inside a transaction that holds the owner row (`current`, from `lockOwner`):
   * staff's Make Owner and an accepted hand-over share it. An open offer of the account ends with
   * it (the owner changed another way); `offerId` names the offer being accepted, already ended.
   */
  async moveOwnerLocked(
    trx: Knex.Transaction,
    actor: Actor,
    accountId: number,
    userId: number,
    current: Awaited<ReturnType<MembersRepo['lockOwner']>>,
    options: { keep?: PreviousOwnerAccess; expectedOwnerId?: number | null; offerId?: number } = {},
  ): Promise<{
    previousOwnerId: number | null;
    changed: boolean;
    previousOwnerAccess: AccessChoice | null;
    ended: EndedOffer[];
  }> {
    const keep = options.keep ?? { kind: 'all' };
    const target = await this.repo.find(accountId, userId, trx);
    if (!target) throw Refusal.notFound();
    if (target.isOwner) return { previousOwnerId: userId, changed: false, previousOwnerAccess: null, ended: [] };
    const currentOwnerId = current ? current.userId : null;
    if (options.expectedOwnerId !== undefined && options.expectedOwnerId !== currentOwnerId)
      throw Refusal.conflict('admin.owner.ownerChanged');
    const now = this.ctx.now();
    let kept: AccessChoice | null = null;
    if (current) {
      kept = resultingAccess(keep, earlierPermissions(current.beforeOwnerPermissions));
      await this.repo.unsetOwner(trx, current.id, kept.all, kept.keys, now);
    }
    await this.repo.setOwner(trx, target.id, earlierOf(target), now);
    const offer = options.offerId === undefined ? {} : { offerId: options.offerId };
    await writeLog(
      trx,
      actor,
      {
        accountId,
        action: 'owner_changed',
        targetUserId: userId,
        details: kept
          ? { previousOwnerId: currentOwnerId, previousOwnerAccess: accessDetail(kept), ...offer }
          : { previousOwnerId: null, ...offer },
      },
      now,
    );
    const open = await this.offers.lockOpenOf(trx, accountId);
    const ended = open ? await endOffers(trx, this.offers, actor, [open], 'ownerChanged', now) : [];
    return { previousOwnerId: currentOwnerId, changed: true, previousOwnerAccess: kept, ended };
  }

  /** Makes each account's existing primary user its owner; accounts that have an owner are left alone. */
  async backfillOwners(): Promise<number> {
    const primaries = await this.ctx.host.accounts.primaryUsers();
    const owned = await this.repo.accountsWithOwner();
    let made = 0;
    for (const { accountId, userId } of primaries) {
      if (!owned.has(accountId) && (await this.makePrimaryOwner(accountId, userId, 'owner_backfilled'))) made += 1;
    }
    return made;
  }

  /** AccountCreated: the new account's primary user becomes its owner at once. */
  async ownAccountCreated(accountId: number): Promise<void> {
    const userId = await this.ctx.host.accounts.primaryUserOf(accountId);
    if (userId !== undefined) await this.makePrimaryOwner(accountId, userId, 'owner_account_created');
  }

  /**
   * At sign-in: accounts whose primary user this person is but that have no owner (created by an
   * import or an API that fired no AccountCreated) get them as owner, logged, so none is stranded.
   */
  async repairOwnersAtSignIn(userId: number): Promise<number> {
    const ids = await this.ctx.host.accounts.primaryAccountsOf(userId);
    if (ids.length === 0) return 0;
    const owned = await this.repo.accountsWithOwner(ids);
    let made = 0;
    for (const accountId of ids) {
      if (!owned.has(accountId) && (await this.makePrimaryOwner(accountId, userId, 'owner_repaired'))) made += 1;
    }
    return made;
  }

  /** Makes the primary user the owner of an account that has none; false when another run did it first. */
  private async makePrimaryOwner(accountId: number, userId: number, action: string): Promise<boolean> {
    try {
      return await this.inTransaction(async (trx) => {
        if (await this.repo.hasOwner(accountId, trx)) return false;
        const now = this.ctx.now();
        const existing = await this.repo.find(accountId, userId, trx);
        if (existing) {
          await this.repo.setOwner(trx, existing.id, earlierOf(existing), now);
        } else {
          await this.repo.insert(trx, {
            accountId,
            userId,
            isOwner: true,
            allPermissions: true,
            permissions: [],
            invitedBy: null,
            now,
          });
        }
        await writeLog(
          trx,
          { type: 'system', id: null, name: 'system' },
          { accountId, action, targetUserId: userId },
          now,
        );
        return true;
      });
    } catch (err) {
      // Two runs at once (activation twice, a sign-in during activation): the other made this owner.
      if (!isUniqueViolation(err)) throw err;
      return false;
    }
  }

  /** The host deleted an account or a user: their memberships and invitations go with them. */
  async forgetAccount(accountId: number): Promise<void> {
    await this.inTransaction(async (trx) => {
      await this.repo.deleteByAccount(trx, accountId);
      await this.invites.deleteByAccount(trx, accountId);
      await this.offers.deleteByAccount(trx, accountId);
    });
  }

  async forgetUser(userId: number): Promise<void> {
    await this.inTransaction(async (trx) => {
      await this.repo.deleteByUser(trx, userId);
      await this.invites.cancelAllBy(trx, userId, this.ctx.now());
      // Offers made by or to a deleted person end with them; there is nobody left to tell.
      for (const offer of await this.offers.lockOpenInvolving(trx, userId))
        await this.offers.end(trx, offer.id, 'removed', this.ctx.now());
    });
  }
}
