import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createApp } from '../../host/app';
import { Client, quietLogger, setupPortal, testConfig, type TestPortal } from '../helpers/portal';
import { Factories } from '../helpers/factories';
import { adminWorld, BASE, findMember, member, textOf, type AdminWorld } from '../admin/helpers';
import { saveSettings } from './helpers';
import { count, firstRow, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;

/** Each setting, changed on the Modules page of the running portal, changes what users see next. */
describe('settings: each one changes behaviour at once, without a restart', () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let admin: Client;
  let alice: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    admin = await tp.staffLogin();
    alice = await tp.login(w.alice.email);
    await alice.refreshCsrf('/account/users');
  });
  afterEach(() => tp.close());

  const invite = (email: string) => alice.post('/account/users/invite', { email, access: 'all' });
  const latestInvite = (q: Knex.QueryBuilder, email: string) =>
    q.where({ account_id: w.acme.id, email }).orderBy('id', 'desc');
  const inviteRow = (email: string) => foundRow(tp, TABLES.invites, (q) => latestInvite(q, email));
  const findInviteRow = (email: string) => firstRow(tp, TABLES.invites, (q) => latestInvite(q, email));
  const linkTo = async (email: string) => {
    const mail = await foundRow(tp, 'outbox', (q) => q.where('to_address', email).orderBy('id', 'desc'));
    return new URL(/(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]).pathname;
  };
  const openAs = async (email: string, accountId: number) => {
    const client = await tp.login(email);
    await client.refreshCsrf('/account/switch');
    await client.post('/account/switch', { accountId: String(accountId) });
    return client;
  };

  it('inviteLifetimeDays: a new lifetime applies to new invitations; those already sent keep theirs', async () => {
    await saveSettings(admin, { inviteLifetimeDays: 3 });
    assert.equal((await invite('three@example.test')).status, 303);
    const three = await inviteRow('three@example.test');
    assert.equal(Number(three.expires_at) - Number(three.created_at), 3 * DAY);
    await saveSettings(admin, { inviteLifetimeDays: 30 });
    assert.equal((await invite('thirty@example.test')).status, 303);
    const thirty = await inviteRow('thirty@example.test');
    assert.equal(Number(thirty.expires_at) - Number(thirty.created_at), 30 * DAY);
    assert.equal(Number((await inviteRow('three@example.test')).expires_at), Number(three.expires_at));
    // The three-day link has expired after four days; the thirty-day one still opens.
    const [threeLink, thirtyLink] = [await linkTo('three@example.test'), await linkTo('thirty@example.test')];
    tp.clock.advance(4 * DAY);
    assert.equal((await tp.anonymous().get(threeLink)).status, 404);
    assert.equal((await tp.anonymous().get(thirtyLink)).status, 200);
  });

  it('maxUsersPerAccount: at the limit an invitation and a direct grant are refused; 0 lifts it', async () => {
    // Acme has alice and dev.
    await saveSettings(admin, { maxUsersPerAccount: 2 });
    const refused = await invite('third@example.test');
    assert.equal(refused.status, 422);
    assert.match(textOf(refused.text), /This account has reached its limit of 2 users/);
    assert.equal(await findInviteRow('third@example.test'), undefined);
    await admin.refreshCsrf(BASE);
    const direct = await admin.post(`${BASE}/accounts/${w.acme.id}/users`, { email: w.bob.email, access: 'all' });
    assert.equal(direct.status, 422);
    assert.equal(await findMember(tp, w.acme.id, w.bob.id), undefined);

    await admin.refreshCsrf('/admin/modules');
    await saveSettings(admin, { maxUsersPerAccount: 0 });
    assert.equal((await invite('third@example.test')).status, 303);
  });

  it('invitesPerHour: the next invitation over the limit is refused until the hour has passed', async () => {
    await saveSettings(admin, { invitesPerHour: 2 });
    assert.equal((await invite('a@example.test')).status, 303);
    assert.equal((await invite('b@example.test')).status, 303);
    const refused = await invite('c@example.test');
    assert.equal(refused.status, 429);
    assert.match(textOf(refused.text), /This account has sent 2 invitations in the last hour, the most allowed/);
    assert.equal(await findInviteRow('c@example.test'), undefined);
    await saveSettings(admin, { invitesPerHour: 3 });
    assert.equal((await invite('c@example.test')).status, 303, 'a raised limit applies at once');
    assert.equal((await invite('d@example.test')).status, 429);
    tp.clock.advance(HOUR + 1000);
    assert.equal((await invite('d@example.test')).status, 303);
  });

  it('requireInvitedAddress: on, only the invited address accepts; off, anyone signed in with the link', async () => {
    assert.equal((await invite('someone-else@example.test')).status, 303);
    const link = await linkTo('someone-else@example.test');
    const bob = await tp.login(w.bob.email);
    await bob.refreshCsrf(link);
    const refused = await bob.post(`${link}/accept`);
    assert.equal(refused.status, 403);
    assert.equal(await findMember(tp, w.acme.id, w.bob.id), undefined);

    await saveSettings(admin, { requireInvitedAddress: false });
    await bob.refreshCsrf(link);
    assert.equal((await bob.post(`${link}/accept`)).status, 303);
    assert.ok(await findMember(tp, w.acme.id, w.bob.id));
  });

  it('notifyOwnerOnAccept: on, the owner gets an e-mail when an invitation is accepted; off, none', async () => {
    const accept = async (email: string) => {
      await tp.f.user({ email });
      assert.equal((await invite(email)).status, 303);
      const link = await linkTo(email);
      const client = await tp.login(email);
      await client.refreshCsrf(link);
      assert.equal((await client.post(`${link}/accept`)).status, 303);
    };
    const toOwner = () => count(tp, 'outbox', { to_address: w.alice.email });
    await accept('first@example.test');
    assert.equal(await toOwner(), 1);
    await saveSettings(admin, { notifyOwnerOnAccept: false });
    await accept('second@example.test');
    assert.equal(await toOwner(), 1);
    assert.ok(
      await findMember(tp, w.acme.id, Number((await foundRow(tp, 'users', { email: 'second@example.test' })).id)),
    );
  });

  it('allowLeave: off, Leave goes from Switch Account and leaving is refused; on again, a user can leave', async () => {
    const dev = await openAs(w.dev.email, w.acme.id);
    assert.match((await dev.get('/account/switch')).text, /href="\/account\/leave"/);
    await saveSettings(admin, { allowLeave: false });
    assert.doesNotMatch((await dev.get('/account/switch')).text, /href="\/account\/leave"/);
    assert.equal((await dev.get('/account/leave')).status, 403);
    await dev.refreshCsrf('/');
    const refused = await dev.post('/account/leave');
    assert.equal(refused.status, 403);
    assert.match(textOf(refused.text), /Leaving an account is switched off/);
    assert.ok(await findMember(tp, w.acme.id, w.dev.id));

    await saveSettings(admin, { allowLeave: true });
    await dev.refreshCsrf('/account/leave');
    assert.equal((await dev.post('/account/leave')).status, 303);
    assert.equal(await findMember(tp, w.acme.id, w.dev.id), undefined);
  });

  it('disableClientManagement: on, owners get no User Management (routes 404); staff still manage access', async () => {
    assert.match((await alice.get('/')).text, /href="\/account\/users"/);
    await saveSettings(admin, { disableClientManagement: true });
    assert.doesNotMatch((await alice.get('/')).text, /href="\/account\/users"/);
    for (const path of [
      '/account/users',
      '/account/activity',
      `/account/users/${w.dev.id}/permissions`,
      `/account/users/${w.dev.id}/remove`,
    ]) {
      assert.equal((await alice.get(path)).status, 404, `GET ${path}`);
    }
    await alice.refreshCsrf('/');
    for (const [path, fields] of [
      ['/account/users/invite', { email: 'x@example.test', access: 'all' }],
      [`/account/users/${w.dev.id}/permissions`, { access: 'choose', permissions: 'tickets' }],
      [`/account/users/${w.dev.id}/remove`, {}],
    ] as Array<[string, Record<string, string>]>) {
      assert.equal((await alice.post(path, fields)).status, 404, `POST ${path}`);
    }
    assert.equal(await findInviteRow('x@example.test'), undefined);
    assert.equal(Boolean((await member(tp, w.acme.id, w.dev.id)).all_permissions), true);
    // The admin's pages keep working.
    await admin.refreshCsrf(BASE);
    assert.equal((await admin.post(`${BASE}/accounts/${w.acme.id}/users/${w.dev.id}/remove`)).status, 303);
    assert.equal(await findMember(tp, w.acme.id, w.dev.id), undefined);

    await admin.refreshCsrf('/admin/modules');
    await saveSettings(admin, { disableClientManagement: false });
    assert.equal((await alice.get('/account/users')).status, 200);
  });

  it('a second app instance on the same database follows a saved setting on its next module state read', async () => {
    const other = await createApp({ knex: tp.knex, config: testConfig(), logger: quietLogger, moduleStateTtlMs: 0 });
    try {
      const aliceThere = await Client.login(other.app, w.alice.email, Factories.PASSWORD);
      assert.equal((await aliceThere.get('/account/users')).status, 200);
      await saveSettings(admin, { disableClientManagement: true });
      assert.equal((await aliceThere.get('/account/users')).status, 404);
    } finally {
      await other.close();
    }
  });
});
