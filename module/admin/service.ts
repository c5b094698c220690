import type { Actor, ModuleContext } from '../context';
import { isOpenStatus } from '../host-schema';
import type { HostUser } from '../contract';
import { Refusal, isUniqueViolation } from '../errors';
import type { MembersRepo } from '../members/repo';
import type { AccessChoice, MembersService, PreviousOwnerAccess } from '../members/service';
import { isDeadlock, retryOnDeadlock } from '../deadlock';
import type { InvitesRepo } from '../invites/repo';

const OWNER_ATTEMPTS = 5;

/** What staff may do to an account's users beyond what owners can: take plain values, no HTTP. */
export class AdminAccess {
  constructor(
    private readonly ctx: ModuleContext,
    private readonly repo: MembersRepo,
    private readonly members: MembersService,
    private readonly invites: InvitesRepo,
  ) {}

  /**
   * Gives an existing login access without an invitation. Refused, on the e-mail field: a closed
   * account, a user who already has access (who keeps exactly what they had), a full account. The
   * owner row serialises changes of one account, so the limit is counted exactly under concurrent grants.
   */
  async grant(actor: Actor, accountId: number, user: HostUser, choice: AccessChoice): Promise<void> {
    const { maxUsersPerAccount } = this.ctx.settings();
    // A closed account takes no new users: they could never open it.
    const { host } = this.ctx;
    const [account] = await host.accounts.findByIds([accountId]);
    if (!account || !isOpenStatus(host.schema, account.status))
      throw Refusal.conflict('admin.add.errors.closed', {}, { email: 'admin.add.errors.closed' });
    const alreadyMember = () =>
      Refusal.conflict('admin.add.errors.member', { email: user.email }, { email: 'admin.add.errors.member' });
    return retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        await this.repo.lockOwner(trx, accountId);
        if (await this.repo.find(accountId, user.id, trx)) throw alreadyMember();
        // The one rule of the limit: members and pending invitations together, as when inviting.
        if (maxUsersPerAccount > 0) {
          const used =
            (await this.repo.countMembers(accountId, '', trx)) +
            (await this.invites.countOpen(accountId, this.ctx.now(), trx));
          if (used >= maxUsersPerAccount)
            throw Refusal.invalid(
              'admin.add.errors.limit',
              { max: maxUsersPerAccount },
              { email: 'admin.add.errors.limit' },
            );
        }
        const added = await this.members.add(
          actor,
          { accountId, userId: user.id, choice, targetEmail: user.email },
          trx,
        );
        // Another request gave the same access a moment ago.
        if (!added.created) throw alreadyMember();
      }),
    );
  }

  /**
   * Concurrent moves on one account queue on the owner row; on MySQL a loser may still meet the
   * unique owner index or a deadlock, and then tries again against the committed owner.
   */
  /** False when the user already owns the account (decided on the locked owner row): nothing changed. */
  async makeOwner(
    actor: Actor,
    accountId: number,
    userId: number,
    options: { keep?: PreviousOwnerAccess; expectedOwnerId?: number | null } = {},
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await this.members.makeOwner(actor, accountId, userId, options)).changed;
      } catch (err) {
        if (!(isUniqueViolation(err) || isDeadlock(err))) throw err;
        if (attempt >= OWNER_ATTEMPTS) throw Refusal.conflict('admin.owner.busy');
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40) * attempt));
      }
    }
  }
}
