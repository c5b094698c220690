import assert from 'node:assert/strict';
import type { HostConfig } from '../../host/config';
import { Client, setupPortal, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';
import { foundRow } from '../helpers/db';

export const PASSWORD = 'test-password-1';

/** Two victims' accounts and an attacker who owns one account and is a narrow member of another. */
export interface World {
  tp: TestPortal;
  acme: { id: number; name: string };
  blueFish: { id: number; name: string };
  malloryLtd: { id: number; name: string };
  alice: { id: number; email: string };
  bob: { id: number; email: string };
  dev: { id: number; email: string };
  sam: { id: number; email: string };
  mallory: { id: number; email: string };
  acmeInvoice: number;
  acmeService: number;
  acmeDomain: number;
  acmeInviteId: number;
  acmeInviteToken: string;
  blueInviteId: number;
  malloryInviteId: number;
  malloryMemberId: number;
}

/** Clears the login limiter so a suite may sign in many people from one address. */
export async function freshLimits(tp: TestPortal): Promise<void> {
  await tp.knex('rate_limits').del();
}

export async function login(tp: TestPortal, email: string): Promise<Client> {
  await freshLimits(tp);
  return tp.login(email, PASSWORD);
}

/** Signs in and works in the given account (through Switch Account, as the user would). */
export async function loginTo(tp: TestPortal, email: string, accountId: number): Promise<Client> {
  const client = await login(tp, email);
  await client.refreshCsrf('/account/switch');
  const res = await client.post('/account/switch', { accountId: String(accountId) });
  assert.equal(res.status, 303, `switching ${email} to ${accountId}`);
  await client.refreshCsrf('/');
  return client;
}

export function tokenOf(text: string): string {
  const match = /\/invite\/([A-Za-z0-9_-]{20,})/.exec(text);
  assert.ok(match, 'an invitation link was mailed');
  return match[1];
}

/** Invites through the owner's form and returns the invitation's id and mailed token. */
export async function inviteByHttp(
  tp: TestPortal,
  owner: Client,
  email: string,
  fields: Record<string, string | string[]> = { access: 'all' },
): Promise<{ id: number; token: string }> {
  const res = await owner.post('/account/users/invite', { email, ...fields });
  assert.equal(res.status, 303, `inviting ${email}: ${res.status} ${res.text.slice(0, 200)}`);
  const mail = await foundRow(tp, 'outbox', (q) => q.where('to_address', email).orderBy('id', 'desc'));
  const row = await foundRow(tp, TABLES.invites, (q) => q.where('pending_email', email).orderBy('id', 'desc'));
  return { id: Number(row.id), token: tokenOf(mail.text) };
}

export async function buildWorld(config: Partial<HostConfig> = {}): Promise<World> {
  const tp = await setupPortal({ config });
  const { f, knex } = tp;
  const alice = await f.user({ email: 'alice@victim.test', firstName: 'Alice', lastName: 'Archer' });
  const bob = await f.user({ email: 'bob@victim.test', firstName: 'Bob', lastName: 'Baker' });
  const dev = await f.user({ email: 'dev@victim.test', firstName: 'Dana', lastName: 'Dev' });
  const sam = await f.user({ email: 'sam@victim.test', firstName: 'Sam', lastName: 'Smith' });
  const mallory = await f.user({ email: 'mallory@attacker.test', firstName: 'Mallory', lastName: 'Moss' });
  const acme = await f.account({ name: 'Acme Web Studio', ownerId: alice.id });
  const blueFish = await f.account({ name: 'Blue Fish Bakery', ownerId: bob.id });
  const malloryLtd = await f.account({ name: 'Mallory Ltd', ownerId: mallory.id });
  await f.member(acme.id, dev.id, 'all');
  await f.member(acme.id, mallory.id, ['tickets']);
  await f.member(blueFish.id, sam.id, ['invoices']);
  const someone = await f.user({ email: 'helper@attacker.test' });
  await f.member(malloryLtd.id, someone.id, ['tickets']);
  const acmeInvoice = await f.invoice(acme.id, { number: 'INV-ACME-1' });
  await f.invoice(blueFish.id, { number: 'INV-BLUE-1' });
  const acmeService = await f.service(acme.id);
  const [acmeDomain] = await knex('domains').insert({
    account_id: acme.id,
    name: 'acme.test',
    status: 'Active',
    expires_on: '2027-05-01',
    auto_renew: true,
  });

  const aliceClient = await login(tp, alice.email);
  const acmeInvite = await inviteByHttp(tp, aliceClient, 'pat@victim.test');
  const bobClient = await login(tp, bob.email);
  const blueInvite = await inviteByHttp(tp, bobClient, 'quinn@victim.test', {
    access: 'choose',
    permissions: ['invoices'],
  });
  const malloryClient = await loginTo(tp, mallory.email, malloryLtd.id);
  const malloryInvite = await inviteByHttp(tp, malloryClient, 'friend@attacker.test');
  await freshLimits(tp);
  return {
    tp,
    acme,
    blueFish,
    malloryLtd,
    alice,
    bob,
    dev,
    sam,
    mallory,
    acmeInvoice,
    acmeService,
    acmeDomain: Number(acmeDomain),
    acmeInviteId: acmeInvite.id,
    acmeInviteToken: acmeInvite.token,
    blueInviteId: blueInvite.id,
    malloryInviteId: malloryInvite.id,
    malloryMemberId: someone.id,
  };
}

/** The visible text of the page's main part, without per-session tokens. */
export function mainText(html: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
  return main
    .replace(/name="_csrf" value="[^"]*"/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
