import type { ModuleContext } from './context';
import type { Guards } from './guard';
import type { MembersRepo } from './members/repo';
import type { AccountsRepo } from './accounts/repo';
import type { MembersService } from './members/service';
import type { InvitesService } from './invites/service';
import type { OwnershipService } from './ownership/service';

/** What route handlers are given: the context and the services, never the request's own values. */
export interface Deps {
  ctx: ModuleContext;
  guards: Guards;
  membersRepo: MembersRepo;
  /** The accounts of one user: login, the chooser and the staff user page. */
  accountsRepo: AccountsRepo;
  members: MembersService;
  invitesService: InvitesService;
  /** Handing an account over from its owner to a member. */
  ownership: OwnershipService;
}
