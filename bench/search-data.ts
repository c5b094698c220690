import type { Knex } from 'knex';

/** The shape the search figures are taken at (docs/scaling.md): ten times the page benchmark's. */
export const SEARCH_SHAPE = {
  users: 1_000_000,
  accounts: 100_000,
  /** Account 1: this many users besides its owner (users 100,001 onwards). */
  bigAccountUsers: 50_000,
  /** Account 2: this many users with its owner. */
  smallAccountUsers: 50,
  /** The agency (user 900,001) is in this many accounts, from account 3 on. */
  agencyAccounts: 10_000,
  /** User 900,002 is in this many accounts, after the agency's. */
  fewAccounts: 20,
};
export const BIG_ACCOUNT = 1;
export const SMALL_ACCOUNT = 2;
export const AGENCY_USER = 900_001;
export const FEW_ACCOUNTS_USER = 900_002;

/**
 * Fills a migrated MariaDB database in seconds with the sequence engine: user n is
 * `u<n>@bench.example`, "First<n> Last<n·7919 mod 10⁶>"; account n is "Customer 000n Ltd", owned by
 * user n. Only MariaDB has `seq_1_to_N` tables.
 */
export async function fillSearchShape(knex: Knex): Promise<void> {
  const s = SEARCH_SHAPE;
  const now = Date.now();
  await knex.raw(
    `insert into users (id, email, password_hash, first_name, last_name, locale, created_at)
     select seq, concat('u', seq, '@bench.example'), 'x', concat('First', seq),
            concat('Last', (seq * 7919) % 1000000), null, ? from seq_1_to_${s.users}`,
    [now],
  );
  await knex.raw(
    `insert into accounts (id, name, email, status, primary_user_id, created_at)
     select seq, concat('Customer ', lpad(seq, 6, '0'), ' Ltd'), concat('u', seq, '@bench.example'), 'active', seq, ?
     from seq_1_to_${s.accounts}`,
    [now],
  );
  const member = (account: string, user: string, owner: string, from: number, to: number) =>
    knex.raw(
      `insert into mod_account_users_members
         (account_id, user_id, is_owner, all_permissions, permissions, created_at, updated_at)
       select ${account}, ${user}, ${owner}, 1, '[]', ?, ? from seq_${from}_to_${to}`,
      [now, now],
    );
  await member('seq', 'seq', '1', 1, s.accounts);
  await member(String(BIG_ACCOUNT), 'seq', 'null', 100_001, 100_000 + s.bigAccountUsers);
  await member(String(SMALL_ACCOUNT), 'seq', 'null', 200_001, 200_000 + s.smallAccountUsers - 1);
  await member('seq', String(AGENCY_USER), 'null', 3, 2 + s.agencyAccounts);
  await member('seq', String(FEW_ACCOUNTS_USER), 'null', 3 + s.agencyAccounts, 2 + s.agencyAccounts + s.fewAccounts);
  for (const table of ['users', 'accounts', 'mod_account_users_members']) await knex.raw(`analyze table ${table}`);
}
