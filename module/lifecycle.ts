import type { ModuleContext } from './context';
import type { MembersService } from './members/service';
import { isInstalled, migrateDownAll, migrateLatest } from './migrate';

/** What a lifecycle step reports to the host's Modules page (WHMCS style: a status and a message key). */
export interface LifecycleResult {
  status: 'success' | 'error';
  messageKey: string;
  params?: Record<string, unknown>;
}

export function createLifecycle(ctx: ModuleContext, members: MembersService) {
  return {
    /** Migrate up, then make each account's primary user its owner. Running it twice is harmless. */
    async activate(): Promise<LifecycleResult> {
      await migrateLatest(ctx.knex);
      const owners = await members.backfillOwners();
      ctx.host.logger.info('account users activated', { owners });
      return { status: 'success', messageKey: 'lifecycle.activated', params: { owners } };
    },
    async upgrade(): Promise<LifecycleResult> {
      const applied = await migrateLatest(ctx.knex);
      return { status: 'success', messageKey: 'lifecycle.upgraded', params: { count: applied.length } };
    },
    /** Pages and menu items go (the host stops calling them); every row stays for a later activation. */
    async deactivate(): Promise<LifecycleResult> {
      return { status: 'success', messageKey: 'lifecycle.deactivated' };
    },
    /** Every module table is dropped; the host's tables are untouched. */
    async uninstall(): Promise<LifecycleResult> {
      await migrateDownAll(ctx.knex);
      return { status: 'success', messageKey: 'lifecycle.uninstalled' };
    },
    installed: () => isInstalled(ctx.knex),
  };
}
