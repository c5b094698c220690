import type { Knex } from 'knex';

export interface ModuleState {
  active: boolean;
  installed: boolean;
  version: string | null;
}

const EMPTY: ModuleState = { active: false, installed: false, version: null };

/**
 * The portal's record of an installed module (like WHMCS's addon module table): on or off, and
 * the schema version. Account Users keeps its settings itself (its settings page). Read from the
 * database at most once per `ttlMs`, so every app instance follows an admin's change within that
 * time, and this instance at once.
 */
export class ModuleRegistry {
  private state: ModuleState = EMPTY;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly knex: Knex,
    readonly moduleId: string,
    private readonly ttlMs = 2000,
  ) {}

  current(): ModuleState {
    return this.state;
  }

  /** Middleware-friendly refresh: a no-op while the cached state is fresh. */
  async refresh(force = false): Promise<ModuleState> {
    if (!force && Date.now() - this.loadedAt < this.ttlMs) return this.state;
    this.loading ??= (async () => {
      try {
        const row = (await this.knex('modules').where('id', this.moduleId).first()) as
          { active: number | boolean; version: string } | undefined;
        this.state = row ? { active: Boolean(row.active), installed: true, version: row.version } : EMPTY;
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
    return this.state;
  }

  async save(change: Partial<Pick<ModuleState, 'active' | 'version'>>): Promise<void> {
    const now = Date.now();
    const current = await this.refresh(true);
    const row = {
      id: this.moduleId,
      active: change.active ?? current.active,
      version: change.version ?? current.version ?? '0',
      // The table's settings column stays for modules that keep none of their own.
      settings: '{}',
      updated_at: now,
    };
    await this.knex('modules').insert(row).onConflict('id').merge();
    await this.refresh(true);
  }

  async remove(): Promise<void> {
    await this.knex('modules').where('id', this.moduleId).del();
    await this.refresh(true);
  }
}
