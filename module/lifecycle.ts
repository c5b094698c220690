import type { ModuleContext } from './context';
import type { MembersService } from './members/service';
import type { InvitesRepo } from './invites/repo';
import { isInstalled, migrateDownAll, migrateLatest } from './migrate';
import { defaultLocale, translate } from './i18n';

/**
 * What a lifecycle step reports to the host's Modules page (WHMCS style): a status and a message,
 * as a lang/ key with parameters and as text in the portal's default language. A failing step
 * reports `error` with what went wrong; it never throws through to the host.
 */
export interface LifecycleResult {
  status: 'success' | 'error';
  messageKey: string;
  params?: Record<string, unknown>;
  description: string;
}

/**
 * What switching the module off or uninstalling it takes away, for the host's "Are you sure?"
 * page. Counted from the module's tables (zeros when they do not exist); changes nothing.
 */
export interface LifecycleImpact {
  /**
   * Users other than the owner with access to an open account: paused while the module is off,
   * deleted on uninstall.
   */
  memberships: number;
  /**
   * Invitations still waiting to be accepted: they cannot be accepted while the module is off, and
   * are deleted on uninstall.
   */
  pendingInvitations: number;
}

function result(
  status: LifecycleResult['status'],
  messageKey: string,
  params: Record<string, unknown> = {},
): LifecycleResult {
  return { status, messageKey, params, description: translate(defaultLocale(), messageKey, params) };
}

export function createLifecycle(ctx: ModuleContext, members: MembersService, invites: InvitesRepo) {
  /** Runs one step; a failure is logged and reported, never thrown. */
  const step = (name: string, fn: () => Promise<LifecycleResult>) => async (): Promise<LifecycleResult> => {
    try {
      return await fn();
    } catch (err) {
      ctx.host.logger.error(`account users: ${name} failed`, { err: err instanceof Error ? err.message : String(err) });
      return result('error', 'lifecycle.failed', {
        step: name,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };
  return {
    /** Migrate up, then make each account's primary user its owner. Running it twice is harmless. */
    activate: step('activate', async () => {
      await migrateLatest(ctx.knex);
      const owners = await members.backfillOwners();
      ctx.host.logger.info('account users activated', { owners });
      return result('success', 'lifecycle.activated', { owners });
    }),
    upgrade: step('upgrade', async () => {
      const applied = await migrateLatest(ctx.knex);
      return result('success', 'lifecycle.upgraded', { count: applied.length });
    }),
    /** Pages and menu items go (the host stops calling them); every row stays for a later activation. */
    deactivate: step('deactivate', () => Promise.resolve(result('success', 'lifecycle.deactivated'))),
    /** Every module table is dropped; the host's tables are untouched. */
    uninstall: step('uninstall', async () => {
      await migrateDownAll(ctx.knex);
      return result('success', 'lifecycle.uninstalled');
    }),
    installed: () => isInstalled(ctx.knex),
    impact: async (): Promise<LifecycleImpact> => {
      if (!(await isInstalled(ctx.knex))) return { memberships: 0, pendingInvitations: 0 };
      const memberships = await members.repo.countUsersOfOpenAccounts();
      const pendingInvitations = await invites.countAllOpen(ctx.now());
      return { memberships, pendingInvitations };
    },
  };
}
