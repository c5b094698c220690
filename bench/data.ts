import type { Knex } from 'knex';
import { hashPassword } from '../host/passwords';

export const BENCH_PASSWORD = 'bench-password-1';

export interface Sizes {
  users: number;
  accounts: number;
  bigAccountUsers: number;
  agencyAccounts: number;
  invites: number;
}

/** Who plays which part in the benchmark (user and account ids). */
export interface Cast {
  /** Ten owners of one account each (users and accounts 10–19), for the host page. */
  hostPageUsers: number[];
  bigOwner: number;
  bigAccount: number;
  smallOwner: number;
  smallAccount: number;
  twoAccountUser: number;
  twoAccounts: [number, number];
  agencyUser: number;
  agencyFirstAccount: number;
  inviteOwner: number;
  inviteAccount: number;
  invitees: number[];
}

export const email = (userId: number) => `u${userId}@bench.example`;

/**
 * Fills an empty, migrated database with the module active, in bulk (batchInsert): account i is
 * owned by user i; account 1 has the big team, account 2 ten users; the last user is an agency in
 * `agencyAccounts` accounts; the one before it is in two. Ids are assigned in insert order.
 */
export async function generate(knex: Knex, sizes: Sizes, log: (msg: string) => void): Promise<Cast> {
  const { users: U, accounts: A, bigAccountUsers: BIG, agencyAccounts: AG, invites: N } = sizes;
  if (U < A + BIG + 10 + N + 2) throw new Error('not enough users for the accounts, the big team and the invitees');
  const hash = await hashPassword(BENCH_PASSWORD);
  const now = Date.now();
  const chunk = 1000;

  const userRows = Array.from({ length: U }, (_, k) => ({
    id: k + 1,
    email: email(k + 1),
    password_hash: hash,
    first_name: `First${k + 1}`,
    last_name: `Last${(k * 7919) % U}`,
    locale: null,
    created_at: now,
  }));
  await knex.batchInsert('users', userRows, chunk);
  log(`users: ${U}`);

  const accountRows = Array.from({ length: A }, (_, k) => ({
    id: k + 1,
    name: `Customer ${String(k + 1).padStart(5, '0')} Ltd`,
    email: `billing${k + 1}@bench.example`,
    status: (k + 1) % 100 === 99 ? 'closed' : 'active',
    primary_user_id: k + 1,
    created_at: now,
  }));
  await knex.batchInsert('accounts', accountRows, chunk);
  log(`accounts: ${A}`);

  const member = (accountId: number, userId: number, isOwner: boolean, lastLoginAt: number | null = null) => ({
    account_id: accountId,
    user_id: userId,
    is_owner: isOwner ? true : null,
    all_permissions: true,
    permissions: '[]',
    invited_by: isOwner ? null : accountId,
    created_at: now,
    updated_at: now,
    last_login_at: lastLoginAt,
  });
  const cast: Cast = {
    hostPageUsers: Array.from({ length: 10 }, (_, k) => 10 + k),
    bigOwner: 1,
    bigAccount: 1,
    smallOwner: 2,
    smallAccount: 2,
    twoAccountUser: U - 1,
    twoAccounts: [4, 5],
    agencyUser: U,
    agencyFirstAccount: 3,
    inviteOwner: 6,
    inviteAccount: 6,
    invitees: Array.from({ length: N }, (_, k) => U - 2 - N + k),
  };
  const members = accountRows.map((a) => member(a.id, a.id, true));
  for (let k = 0; k < BIG; k += 1)
    members.push(member(cast.bigAccount, A + 1 + k, false, k % 3 ? now - k * 1000 : null));
  for (let k = 0; k < 9; k += 1) members.push(member(cast.smallAccount, A + BIG + 1 + k, false));
  for (const accountId of cast.twoAccounts) members.push(member(accountId, cast.twoAccountUser, false));
  // The agency has used about half of its accounts at some time.
  for (let k = 0; k < AG; k += 1)
    members.push(member(cast.agencyFirstAccount + k, cast.agencyUser, false, k % 2 ? now - k * 60_000 : null));
  await knex.batchInsert('mod_account_users_members', members, chunk);
  log(`memberships: ${members.length}`);

  const services = [];
  for (const accountId of [...cast.hostPageUsers, cast.bigAccount, cast.smallAccount]) {
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
  await knex.batchInsert('services', services, chunk);
  return cast;
}
