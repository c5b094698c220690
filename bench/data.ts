import type { Knex } from 'knex';
import { hashPassword } from '../host/passwords';

export const BENCH_PASSWORD = 'bench-password-1';
export const STAFF_EMAIL = 'staff@bench.example';

export interface Sizes {
  users: number;
  accounts: number;
  /** Users of the big account (its owner included). */
  bigAccountUsers: number;
  /** Accounts of the agency user. */
  agencyAccounts: number;
  invites: number;
  /** Rows of the activity log (a multiple of 100, at least 10,000); none when left out. */
  logRows?: number;
}

/** The fixed shapes the big ones are compared with; the same at every scale. */
export const MID_ACCOUNT_USERS = 50;
export const SMALL_ACCOUNT_USERS = 10;
export const MID_AGENCY_ACCOUNTS = 20;
export const LOG_ACCOUNT_ROWS = 100;
/** Per cent of the log written for the big account, so its log pages run long. */
export const BIG_LOG_PERCENT = 30;
/** Members of the big and of the 50-user account whose e-mail starts with this (the rest start with "u"). */
export const TEAM_PREFIX = 'team';
export const TEAM_MATCHES = 40;
/** How far back the log reaches: about three years, so a retention of 730 days has a third to delete. */
export const LOG_SPAN_MS = 3 * 365 * 86_400_000;

/** Who plays which part in the benchmark (user and account ids). */
export interface Cast {
  /** Ten owners of one account each (users and accounts 10–19), for the host page. */
  hostPageUsers: number[];
  bigOwner: number;
  bigAccount: number;
  midOwner: number;
  midAccount: number;
  smallOwner: number;
  smallAccount: number;
  /** The account with exactly LOG_ACCOUNT_ROWS log rows, and its owner. */
  logOwner: number;
  logAccount: number;
  /** Log rows of the big account and of the log account (for the last page when no pager link names it). */
  logRowsOf: Record<number, number>;
  twoAccountUser: number;
  twoAccounts: [number, number];
  agencyUser: number;
  agencyFirstAccount: number;
  midAgencyUser: number;
  midAgencyFirstAccount: number;
  /** Account-name prefixes matching ten accounts of the agency and ten of the 20-account user. */
  agencySearch: string;
  midAgencySearch: string;
  inviteOwner: number;
  inviteAccount: number;
  invitees: number[];
  /** Staff searches across all users: an e-mail prefix and a last name. */
  staffEmailSearch: string;
  staffNameSearch: string;
}

export const email = (userId: number) => `u${userId}@bench.example`;
const pad6 = (n: number) => String(n).padStart(6, '0');

/** The big parts grow with the scale; the shapes they are compared with stay as they are. */
export function scaledSizes(scale: number): Sizes {
  const at = (full: number, floor: number) => Math.max(floor, Math.round(full * scale));
  return {
    users: at(1_000_000, 6_000),
    accounts: at(100_000, 600),
    bigAccountUsers: at(50_000, 1_000),
    agencyAccounts: at(10_000, 200),
    invites: Math.min(200, at(200, 10)),
    logRows: Math.ceil(at(5_000_000, 50_000) / 100) * 100,
  };
}

/** One `INSERT … SELECT … FROM seq_a_to_b` per chunk (MariaDB's sequence engine): no rows pass through Node. */
async function fromSequence(
  knex: Knex,
  total: number,
  chunk: number,
  insert: (range: string) => [string, Knex.RawBinding[]],
): Promise<void> {
  for (let from = 1; from <= total; from += chunk) {
    const [sql, bindings] = insert(`seq_${from}_to_${Math.min(total, from + chunk - 1)}`);
    await knex.raw(sql, bindings);
  }
}

/**
 * Fills the table with its secondary indexes dropped and then adds them back as they were: building
 * an index by sorting once is many times faster than keeping several up to date row by row while
 * millions go in. Read from the table itself, so indexes other migrations add come back as well.
 */
async function withoutIndexes(knex: Knex, table: string, fill: () => Promise<void>): Promise<void> {
  const [rows] = (await knex.raw(`SHOW INDEX FROM \`${table}\``)) as [Array<Record<string, unknown>>];
  const indexes = new Map<string, { unique: boolean; type: string; columns: string[] }>();
  for (const r of rows) {
    const name = String(r.Key_name);
    if (name === 'PRIMARY') continue;
    const index = indexes.get(name) ?? { unique: Number(r.Non_unique) === 0, type: String(r.Index_type), columns: [] };
    const part = typeof r.Sub_part === 'number' || typeof r.Sub_part === 'string' ? `(${r.Sub_part})` : '';
    index.columns[Number(r.Seq_in_index) - 1] = `\`${String(r.Column_name)}\`${part}`;
    indexes.set(name, index);
  }
  if (indexes.size) {
    await knex.raw(`ALTER TABLE \`${table}\` ${[...indexes.keys()].map((n) => `DROP INDEX \`${n}\``).join(', ')}`);
  }
  await fill();
  if (indexes.size) {
    const add = [...indexes].map(
      ([name, i]) =>
        `ADD ${i.type === 'FULLTEXT' ? 'FULLTEXT ' : i.unique ? 'UNIQUE ' : ''}INDEX \`${name}\` ` +
        `(${i.columns.join(', ')})`,
    );
    await knex.raw(`ALTER TABLE \`${table}\` ${add.join(', ')}`);
  }
}

/**
 * Fills an empty, migrated MariaDB database with the module active. Account i is owned by user i.
 * Accounts: 1 the big team, 2 fifty users, 3 ten users, 4 the one with exactly 100 log rows,
 * 5 and 6 those of the two-account user, 7 the one invitations are sent from, 10–19 the host-page
 * owners', 21–40 those of the 20-account user, 101 onwards the agency's. Users after the owners:
 * the big team's members, the 50-user team's, the 10-user team's, the invitees; the last three are
 * the agency, the 20-account user and the two-account user. Ids are given, not left to the database.
 */
export async function generate(knex: Knex, sizes: Sizes, log: (msg: string) => void): Promise<Cast> {
  const { users: U, accounts: A, bigAccountUsers: BIG, agencyAccounts: AG, invites: N, logRows: L = 0 } = sizes;
  const MID = MID_ACCOUNT_USERS;
  const SMALL = SMALL_ACCOUNT_USERS;
  if (U < A + BIG + MID + SMALL + N + 3) throw new Error('not enough users for the accounts, the teams and invitees');
  if (A < 101 + AG) throw new Error('not enough accounts for the agency');
  if (L && (L % 100 || L < 100 * LOG_ACCOUNT_ROWS))
    throw new Error('the log needs a multiple of 100 rows, at least 10,000');
  const hash = await hashPassword(BENCH_PASSWORD);
  const now = Date.now();
  const chunk = 500_000;
  const step = (started: number, what: string) => log(`${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const bigFirstMember = A + 1;
  const midFirstMember = bigFirstMember + BIG - 1;
  const smallFirstMember = midFirstMember + MID - 1;
  const firstInvitee = smallFirstMember + SMALL - 1;
  const cast: Cast = {
    hostPageUsers: Array.from({ length: 10 }, (_, k) => 10 + k),
    bigOwner: 1,
    bigAccount: 1,
    midOwner: 2,
    midAccount: 2,
    smallOwner: 3,
    smallAccount: 3,
    logOwner: 4,
    logAccount: 4,
    logRowsOf: {},
    twoAccountUser: U - 2,
    twoAccounts: [5, 6],
    agencyUser: U,
    agencyFirstAccount: 101,
    midAgencyUser: U - 1,
    midAgencyFirstAccount: 21,
    // Ten accounts each: 200–209 of the agency's, 30–39 of the 20-account user's.
    agencySearch: `Customer ${pad6(200).slice(0, 5)}`,
    midAgencySearch: `Customer ${pad6(30).slice(0, 5)}`,
    inviteOwner: 7,
    inviteAccount: 7,
    invitees: Array.from({ length: N }, (_, k) => firstInvitee + k),
    staffEmailSearch: 'u12345',
    staffNameSearch: 'Last4242',
  };

  let t = Date.now();
  await withoutIndexes(knex, 'users', () =>
    fromSequence(knex, U, chunk, (range) => [
      'INSERT INTO users (id, email, password_hash, first_name, last_name, locale, created_at) ' +
        `SELECT seq, CONCAT('u', seq, '@bench.example'), ?, CONCAT('First', seq), CONCAT('Last', (seq * 7919) % ?), ` +
        `NULL, ? FROM ${range}`,
      [hash, U, now],
    ]),
  );
  // TEAM_MATCHES members of the big team (spread through it) and of the 50-user team are found by TEAM_PREFIX.
  const spread = Math.floor((BIG - 1) / TEAM_MATCHES);
  const team = [
    ...Array.from({ length: TEAM_MATCHES }, (_, k) => bigFirstMember + k * spread),
    ...Array.from({ length: Math.min(TEAM_MATCHES, MID - 1) }, (_, k) => midFirstMember + k),
  ];
  await knex('users')
    .whereIn('id', team)
    .update({ email: knex.raw(`CONCAT(?, id, '@bench.example')`, [TEAM_PREFIX]) });
  step(t, `users: ${U.toLocaleString('en')}`);

  t = Date.now();
  await fromSequence(knex, A, chunk, (range) => [
    'INSERT INTO accounts (id, name, email, status, primary_user_id, created_at) ' +
      `SELECT seq, CONCAT('Customer ', LPAD(seq, 6, '0'), ' Ltd'), CONCAT('billing', seq, '@bench.example'), ` +
      `IF(seq % 100 = 99, 'closed', 'active'), seq, ? FROM ${range}`,
    [now],
  ]);
  step(t, `accounts: ${A.toLocaleString('en')}`);

  t = Date.now();
  const columns =
    'INSERT INTO mod_account_users_members ' +
    '(account_id, user_id, is_owner, all_permissions, permissions, invited_by, created_at, updated_at, last_login_at) ';
  await fromSequence(knex, A, chunk, (range) => [
    `${columns} SELECT seq, seq, 1, 1, '[]', NULL, ?, ? , NULL FROM ${range}`,
    [now, now],
  ]);
  /** `count` members of one account (users first…), a third of them never signed in. */
  const teamOf = (accountId: number, firstUser: number, count: number) =>
    knex.raw(
      `${columns} SELECT ?, ? + seq - 1, NULL, 1, '[]', ?, ?, ?, IF(seq % 3, ? - seq * 1000, NULL) ` +
        `FROM seq_1_to_${count}`,
      [accountId, firstUser, accountId, now, now, now],
    );
  await teamOf(cast.bigAccount, bigFirstMember, BIG - 1);
  await teamOf(cast.midAccount, midFirstMember, MID - 1);
  await teamOf(cast.smallAccount, smallFirstMember, SMALL - 1);
  /** One user in `count` accounts (accounts first…); about half of them used at some time. */
  const agency = (userId: number, firstAccount: number, count: number) =>
    knex.raw(
      `${columns} SELECT ? + seq - 1, ?, NULL, 1, '[]', ? + seq - 1, ?, ?, IF(seq % 2, ? - seq * 60000, NULL) ` +
        `FROM seq_1_to_${count}`,
      [firstAccount, userId, firstAccount, now, now, now],
    );
  await agency(cast.agencyUser, cast.agencyFirstAccount, AG);
  await agency(cast.midAgencyUser, cast.midAgencyFirstAccount, MID_AGENCY_ACCOUNTS);
  await agency(cast.twoAccountUser, cast.twoAccounts[0], 2);
  const [[{ n: memberships }]] = (await knex.raw('SELECT COUNT(*) AS n FROM mod_account_users_members')) as [
    Array<{ n: number }>,
  ];
  step(t, `memberships: ${Number(memberships).toLocaleString('en')}`);

  if (L) {
    t = Date.now();
    // Row k (1…L), written at start + k·gap, so ids and times rise together as the module writes them.
    // Every (L/100)th row is the log account's; BIG_LOG_PERCENT of the others the big account's; the rest
    // spread over accounts 5 onwards.
    const every = L / LOG_ACCOUNT_ROWS;
    const start = now - LOG_SPAN_MS;
    const gap = Math.floor(LOG_SPAN_MS / L);
    const accountOf =
      `CASE WHEN seq % ${every} = 0 THEN ${cast.logAccount} WHEN seq % 100 < ${BIG_LOG_PERCENT} ` +
      `THEN ${cast.bigAccount} ELSE 5 + (seq * 7919) % ${A - 5} END`;
    await withoutIndexes(knex, 'mod_account_users_log', () =>
      fromSequence(knex, L, chunk, (range) => [
        'INSERT INTO mod_account_users_log ' +
          '(id, account_id, actor_type, actor_id, actor_name, action, target_user_id, target_email, details, ip, ' +
          'created_at) ' +
          `SELECT seq, acc, 'user', acc, CONCAT('Owner ', acc), ` +
          `ELT(1 + seq % 5, 'account_switched', 'invite_sent', 'user_added', 'invite_accepted', 'left'), ` +
          `tgt, CONCAT('u', tgt, '@bench.example'), NULL, '192.0.2.1', ? + seq * ? ` +
          `FROM (SELECT seq, ${accountOf} AS acc, ` +
          `IF(${accountOf} = ${cast.bigAccount}, ${bigFirstMember} + seq % ${BIG - 1}, ${accountOf}) AS tgt ` +
          `FROM ${range}) AS s`,
        [start, gap],
      ]),
    );
    for (const accountId of [cast.bigAccount, cast.logAccount]) {
      const row = (await knex('mod_account_users_log').where('account_id', accountId).count({ n: '*' }).first()) as {
        n: number | string;
      };
      cast.logRowsOf[accountId] = Number(row.n);
    }
    step(t, `activity log: ${L.toLocaleString('en')} rows, ${cast.logRowsOf[cast.bigAccount]} of the big account's`);
  }

  const services = [];
  for (const accountId of [...cast.hostPageUsers, cast.bigAccount, cast.midAccount, cast.smallAccount]) {
    for (let k = 0; k < 5; k += 1) {
      services.push({
        account_id: accountId,
        product: `Hosting ${k + 1}`,
        domain: `site${k}.example`,
        status: 'Active',
        amount_cents: 999,
        billing_cycle: 'Monthly',
        next_due_date: '2027-01-01',
      });
    }
  }
  await knex.batchInsert('services', services, 1000);
  await knex('admins').insert({ email: STAFF_EMAIL, password_hash: hash, name: 'Bench Staff' });

  t = Date.now();
  await knex.raw('ANALYZE TABLE users, accounts, mod_account_users_members, mod_account_users_log');
  step(t, 'ANALYZE TABLE');
  return cast;
}
