import type { Knex } from 'knex';
import type { HostContract, ModuleEventPayloads } from './contract';
import type { ModuleSettings } from './manifest';
import { SettingsCache, tableSettingsStore } from './settings/store';
import { PermissionCatalogue } from './permissions';

/** Who did something: a user of the client area, a hosting company admin, or the system itself. */
export interface Actor {
  type: 'user' | 'admin' | 'system';
  id: number | null;
  name: string;
  ip?: string | null;
}

/** What every service of the module is built from. */
export interface ModuleContext {
  host: HostContract;
  knex: Knex;
  catalogue: PermissionCatalogue;
  /** The settings as last loaded (at most `settingsTtlMs` old); `ready` refreshes them. */
  settings(): ModuleSettings;
  settingsCache: SettingsCache;
  /** Once per request, before anything reads settings: refreshes them and asks the host whether the module is on. */
  ready(): Promise<boolean>;
  now(): number;
  /** Fires one of the module's events; a listener's failure is logged, never passed on. */
  emit<K extends keyof ModuleEventPayloads>(event: K, payload: ModuleEventPayloads[K]): Promise<void>;
}

export function createContext(
  host: HostContract,
  extraPermissions: string[] = [],
  settingsTtlMs = 2000,
): ModuleContext {
  const now = host.now ?? Date.now;
  const settingsCache = new SettingsCache(host.settingsStore ?? tableSettingsStore(host.knex, now), settingsTtlMs);
  return {
    host,
    knex: host.knex,
    catalogue: new PermissionCatalogue(extraPermissions),
    settings: () => settingsCache.current(),
    settingsCache,
    async ready() {
      const active = await host.isActive();
      if (active) await settingsCache.refresh();
      return active;
    },
    now,
    async emit(event, payload) {
      try {
        await host.hooks.emit(event, payload);
      } catch (err) {
        host.logger.error(`listener of ${event} failed`, { err: String(err) });
      }
    },
  };
}
