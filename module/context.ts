import type { Knex } from 'knex';
import type { HostContract } from './contract';
import { readSettings, type ModuleSettings } from './manifest';
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
  settings(): ModuleSettings;
  now(): number;
  /** Fires one of the module's events; a listener's failure is logged, never passed on. */
  emit(event: string, payload: Record<string, unknown>): Promise<void>;
}

export function createContext(host: HostContract, extraPermissions: string[] = []): ModuleContext {
  return {
    host,
    knex: host.knex,
    catalogue: new PermissionCatalogue(extraPermissions),
    settings: () => readSettings(host.settings()),
    now: host.now ?? Date.now,
    async emit(event, payload) {
      try {
        await host.hooks.emit(event, payload);
      } catch (err) {
        host.logger.error(`listener of ${event} failed`, { err: String(err) });
      }
    },
  };
}

/** Escapes LIKE wildcards so a search for "50%" finds that text and nothing else. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
