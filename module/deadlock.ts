import { Refusal } from './errors';

/** MySQL/MariaDB picked this transaction as a deadlock victim and rolled it back whole. */
export function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | undefined;
  return e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213;
}

/**
 * Runs a transaction again when the database rolled it back as a deadlock victim, or (MariaDB
 * Galera) when another node committed a conflicting change first and certification failed it,
 * reported with the same code: nothing of it was written, so trying again is safe, and parallel
 * clicks then queue instead of failing. After `attempts` the person gets a conflict page saying
 * nothing was saved (409, never a server error); any other error passes at once.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      if (!isDeadlock(err)) throw err;
      if (attempt >= attempts) throw Refusal.conflict('errors.busy');
      // A random wait that doubles each time (up to about a second), so the victims do not meet again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}
