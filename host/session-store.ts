import type { SessionData } from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Knex } from 'knex';
import { isMysql } from './db';

type Done<T> = (err: unknown, value?: T) => void;

/** Calls back exactly once, outside the promise chain, and leaves no rejected promise behind. */
function settle<T>(work: Promise<T>, done: Done<T> | undefined): Promise<T | undefined> {
  return work.then(
    (value) => {
      if (done) process.nextTick(done, null, value);
      return value;
    },
    (err: unknown) => {
      if (done) process.nextTick(done, err);
      return undefined;
    },
  );
}

const ignore = () => undefined;

/**
 * Sessions in the database through connect-session-knex, made safe for a database that goes away:
 * the library calls back with the error and then rethrows it (an unhandled rejection, which ends
 * a Node process), and its touch never calls back on failure (the response would hang). Here every
 * method calls back once with the error, so Express answers 503 and the process stays up.
 */
export class SessionStore extends ConnectSessionKnexStore {
  override get(
    sid: string,
    callback: (err: unknown, session?: SessionData | null) => void,
  ): Promise<SessionData | null> {
    return settle(super.get(sid, ignore), callback).then((s) => s ?? null);
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    return settle(super.set(sid, session, ignore), callback).then(ignore);
  }

  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): Promise<void> {
    return settle(super.touch(sid, session, ignore), callback).then(ignore);
  }

  /**
   * Deletes expired sessions. The library's own clean-up never matches on SQLite through
   * better-sqlite3, so the expiry is compared here in the format the store writes it.
   */
  async deleteExpired(): Promise<number> {
    const { knex } = this.options as unknown as { knex: Knex };
    const now = new Date().toISOString();
    return knex('sessions')
      .where('expired', '<', isMysql(knex) ? now.slice(0, 19).replace('T', ' ') : now)
      .del();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): Promise<number> {
    return settle(super.destroy(sid, ignore), callback).then((n) => n ?? 0);
  }
}
