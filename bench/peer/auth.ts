import { betterAuth } from 'better-auth';
import { organization } from 'better-auth/plugins';
import { Kysely, MysqlDialect, sql, type LogEvent } from 'kysely';
import { createPool } from 'mysql2';

/** The pool size of both sides: the portal's knex pool is `?pool=10` in the benchmark. */
export const POOL_SIZE = 10;

export const PEER_SECRET = 'bench-peer-secret-at-least-32-characters';

/**
 * better-auth as the benchmark runs it: email + password, the organization plugin, sessions in the
 * database (no cookie cache, no secondary storage), no rate limit, no telemetry. `onQuery` sees
 * every statement Kysely runs (counted for queries per request, recorded for EXPLAIN).
 */
export function createPeerAuth(
  databaseUrl: string,
  baseURL: string,
  onQuery?: (sql: string, params: unknown[]) => void,
) {
  const pool = createPool({ uri: databaseUrl, connectionLimit: POOL_SIZE, charset: 'utf8mb4', timezone: 'Z' });
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool }),
    log: (event: LogEvent) => {
      if (event.level === 'query') onQuery?.(event.query.sql, [...event.query.parameters]);
    },
  });
  const auth = betterAuth({
    baseURL,
    secret: PEER_SECRET,
    database: { db, type: 'mysql' },
    emailAndPassword: { enabled: true },
    session: { cookieCache: { enabled: false } },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    // No OpenTelemetry spans (the module has none); PEER_JOINS=1 reads a row and its user in one joined
    // statement instead of two (off by default in better-auth).
    experimental: { instrumentation: { enabled: false } },
    advanced: { database: { joins: process.env.PEER_JOINS === '1' } },
    logger: { disabled: true },
    plugins: [
      organization({
        // Room for the big organization: the default caps membership at 100.
        membershipLimit: 10_000_000,
        invitationLimit: 10_000_000,
        // The invitation's id comes back in the create answer. Its mail is written to an outbox table, as
        // the portal's mailer does without SMTP, so both sides pay for the mail they would send.
        sendInvitationEmail: async (data) => {
          const link = `${baseURL}/accept-invitation/${data.id}`;
          await sql`insert into outbox (to_address, subject, text, created_at)
            values (${data.email}, ${`Join ${data.organization.name}`}, ${link}, ${Date.now()})`.execute(db);
        },
      }),
    ],
  });
  return { auth, db, pool };
}
