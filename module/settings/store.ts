import type { Knex } from 'knex';
import type { SettingsStore } from '../contract';
import { readSettings, type ModuleSettings } from '../manifest';
import { TABLES } from '../tables';

/** The default store: one row per setting in the module's own table (JSON values). */
export function tableSettingsStore(knex: Knex, now: () => number): SettingsStore {
  // Asked until the table is there (activation makes it), not on every load after that.
  let tableSeen = false;
  return {
    async load() {
      // Before activation the table does not exist yet: every setting has its default.
      if (!tableSeen) {
        tableSeen = await knex.schema.hasTable(TABLES.settings);
        if (!tableSeen) return {};
      }
      const rows = (await knex(TABLES.settings)
        .select('name', 'value')
        .catch(async (err: unknown) => {
          // Uninstalled meanwhile: defaults again, and the table is looked for anew.
          if (await knex.schema.hasTable(TABLES.settings)) throw err;
          tableSeen = false;
          return [];
        })) as Array<{ name: string; value: string }>;
      const values: Record<string, unknown> = {};
      for (const row of rows) {
        try {
          values[row.name] = JSON.parse(row.value);
        } catch {
          // An unreadable value falls back to the manifest's default.
        }
      }
      return values;
    },
    async save(values) {
      const at = now();
      const rows = Object.entries(values).map(([name, value]) => ({
        name,
        value: JSON.stringify(value),
        updated_at: at,
      }));
      if (rows.length) await knex(TABLES.settings).insert(rows).onConflict('name').merge();
    },
  };
}

/**
 * The settings as every request reads them: loaded from the store at most once per `ttlMs`, so
 * a value saved on one app instance applies on every other within that time (and here at once).
 */
export class SettingsCache {
  private values: ModuleSettings = readSettings({});
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: SettingsStore,
    private readonly ttlMs: number,
  ) {}

  current(): ModuleSettings {
    return this.values;
  }

  async refresh(force = false): Promise<ModuleSettings> {
    if (!force && Date.now() - this.loadedAt < this.ttlMs) return this.values;
    this.loading ??= (async () => {
      try {
        this.values = readSettings(await this.store.load());
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
    return this.values;
  }

  async save(values: Record<string, unknown>): Promise<void> {
    await this.store.save(values);
    await this.refresh(true);
  }
}
