import assert from 'node:assert/strict';
import type { Client, TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';
import type { MemberRow } from '../helpers/rows';
import { allRows, firstRow, foundRow } from '../helpers/db';

export interface DemoLike {
  acme: { id: number; ownerId: number; name: string };
  blueFish: { id: number; ownerId: number; name: string };
  alice: { id: number; email: string };
  bob: { id: number; email: string };
  dev: { id: number; email: string };
}

/**
 * The demo's shape: alice owns Acme, bob owns Blue Fish, dev is in both
 * (all in Acme; products and tickets in Blue Fish).
 */
export async function demoLike(tp: TestPortal): Promise<DemoLike> {
  const alice = await tp.f.user({ email: 'alice@example.test', firstName: 'Alice', lastName: 'Archer' });
  const bob = await tp.f.user({ email: 'bob@example.test', firstName: 'Bob', lastName: 'Baker' });
  const dev = await tp.f.user({ email: 'dev@example.test', firstName: 'Dana', lastName: 'Developer' });
  const acme = await tp.f.account({ name: 'Acme Web Studio', ownerId: alice.id });
  const blueFish = await tp.f.account({ name: 'Blue Fish Bakery', ownerId: bob.id });
  await tp.f.member(acme.id, dev.id, 'all');
  await tp.f.member(blueFish.id, dev.id, ['products', 'tickets']);
  await tp.f.invoice(acme.id, { number: 'INV-1088' });
  return { acme, blueFish, alice, bob, dev };
}

/** Signs in and opens the given account through Switch Account, as a user with several accounts does. */
export async function loginTo(tp: TestPortal, email: string, accountId: number): Promise<Client> {
  const client = await tp.login(email);
  await client.refreshCsrf('/account/switch');
  const res = await client.post('/account/switch', { accountId: String(accountId) });
  assert.equal(res.status, 303, `opening account ${accountId} as ${email}`);
  return client;
}

/** A user's membership of an account, which the test expects to be there. */
export function membership(tp: TestPortal, accountId: number, userId: number): Promise<MemberRow> {
  return foundRow(tp, TABLES.members, { account_id: accountId, user_id: userId });
}

/** A user's membership of an account, or undefined: for checking it is there or gone. */
export function findMembership(tp: TestPortal, accountId: number, userId: number): Promise<MemberRow | undefined> {
  return firstRow(tp, TABLES.members, { account_id: accountId, user_id: userId });
}

export async function logActions(tp: TestPortal, accountId: number): Promise<string[]> {
  const rows = await allRows(tp, TABLES.log, (q) => q.where('account_id', accountId).orderBy('id'));
  return rows.map((r) => r.action);
}
