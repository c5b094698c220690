import type { Knex } from 'knex';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';

/**
 * Every sign-in from one address counts on the same row. On MariaDB Galera two counts of it on two
 * nodes at once meet at commit and one fails with error 1213 (as a deadlock would; the server tries
 * a single statement again only `wsrep_retry_autocommit` times): the count is tried again here,
 * so a busy address gets its answer instead of a 503.
 */
async function againOnConflict<T>(write: () => PromiseLike<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (err) {
      const e = err as { code?: string; errno?: number };
      if (!(e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213) || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

/**
 * express-rate-limit store in the database, so a limit holds across every app instance.
 * Fixed windows: the key carries the window's start, and a hit is one upsert plus one read.
 */
export class KnexRateLimitStore implements Store {
  private windowMs = 60_000;
  prefix: string;

  constructor(
    private readonly knex: Knex,
    prefix: string,
  ) {
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private window(): { start: number; resetTime: Date } {
    const start = Math.floor(Date.now() / this.windowMs) * this.windowMs;
    return { start, resetTime: new Date(start + this.windowMs) };
  }

  private keyOf(key: string, start: number): string {
    return `${this.prefix}:${start}:${key}`.slice(0, 191);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { start, resetTime } = this.window();
    const row = await this.knex('rate_limits')
      .where('key', this.keyOf(key, start))
      .first<{ hits: number } | undefined>('hits');
    return row ? { totalHits: Number(row.hits), resetTime } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { start, resetTime } = this.window();
    const k = this.keyOf(key, start);
    await againOnConflict(() =>
      this.knex('rate_limits')
        .insert({ key: k, hits: 1, expires_at: resetTime.getTime() })
        .onConflict('key')
        .merge({ hits: this.knex.raw('rate_limits.hits + 1') }),
    );
    const row = await this.knex('rate_limits').where('key', k).first<{ hits: number }>('hits');
    // Now and then, forget windows that are over.
    if (Math.random() < 0.01) await this.knex('rate_limits').where('expires_at', '<', Date.now()).del();
    return { totalHits: Number(row.hits), resetTime };
  }

  async decrement(key: string): Promise<void> {
    const { start } = this.window();
    await againOnConflict(() =>
      this.knex('rate_limits').where('key', this.keyOf(key, start)).andWhere('hits', '>', 0).decrement('hits', 1),
    );
  }

  async resetKey(key: string): Promise<void> {
    await this.knex('rate_limits').where('key', 'like', `${this.prefix}:%:${key}`).del();
  }
}
