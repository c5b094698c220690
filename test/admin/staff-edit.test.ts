import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { count } from '../helpers/db';
import { adminWorld, BASE, lastLog, member, textOf, type AdminWorld } from './helpers';
import { TABLES } from '../../module/tables';
import { fromJson } from '../helpers/rows';

describe("admin: Manage Permissions of an account's user", () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let admin: Client;
  let blue: string;
  let devPage: string;
  beforeEach(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    admin = await tp.staffLogin(w.admin.email);
    blue = `${BASE}/accounts/${w.blueFish.id}`;
    devPage = `${blue}/users/${w.dev.id}/permissions`;
  });
  afterEach(() => tp.close());

  /** dev's access to Blue Fish as stored, and the number of log entries: what a refusal must leave alone. */
  const state = async () => {
    const dev = await member(tp, w.blueFish.id, w.dev.id);
    return { all: Boolean(dev.all_permissions), keys: dev.permissions, log: await count(tp, TABLES.log) };
  };

  it('opens from the account page, saves the chosen set, logs it with the staff member as actor', async () => {
    const account = await admin.get(blue);
    assert.match(account.text, new RegExp(`href="${devPage}"`), 'a link for the user');
    assert.doesNotMatch(account.text, new RegExp(`users/${w.bob.id}/permissions`), 'none for the owner');

    const page = await admin.get(devPage);
    assert.equal(page.status, 200);
    assert.match(textOf(page.text), /Choose what Dana Developer \(dev@example\.test\) may do in Blue Fish Bakery\./);
    assert.match(page.text, /id="access-choose" name="access" value="choose" checked/);
    assert.match(page.text, /id="perm-tickets" name="permissions" value="tickets" checked/);
    assert.doesNotMatch(page.text, /id="perm-invoices" name="permissions" value="invoices" checked/);
    assert.match(page.text, new RegExp(`<form method="post" action="${devPage}"`));

    const res = await admin.post(devPage, { access: 'choose', permissions: ['invoices', 'tickets'] });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, blue);
    const dev = await member(tp, w.blueFish.id, w.dev.id);
    assert.equal(Boolean(dev.all_permissions), false);
    assert.deepEqual(fromJson(dev.permissions), ['invoices', 'tickets']);

    const entry = await lastLog(tp, w.blueFish.id);
    assert.equal(entry.action, 'permissions_changed');
    assert.equal(entry.actor_type, 'admin');
    assert.equal(Number(entry.actor_id), w.admin.id);
    assert.equal(entry.actor_name, 'Ada Admin');
    assert.equal(Number(entry.target_user_id), w.dev.id);
    assert.deepEqual(fromJson(entry.details), { from: ['products', 'tickets'], to: ['invoices', 'tickets'] });

    const after = textOf((await admin.get(blue)).text);
    assert.match(after, /The permissions of Dana Developer in Blue Fish Bakery were saved\./);
    assert.match(after, /Dana Developer dev@example\.test Invoices, Support tickets/);
    // The user's own session follows at their next click.
    const devClient = await tp.login(w.dev.email);
    await devClient.refreshCsrf('/account/switch');
    await devClient.post('/account/switch', { accountId: String(w.blueFish.id) });
    assert.equal((await devClient.get('/invoices')).status, 200);
    assert.equal((await devClient.get('/services')).status, 403);
  });

  it('All Permissions can be given; saving what the user has says so and logs nothing', async () => {
    assert.equal((await admin.post(devPage, { access: 'all' })).status, 303);
    assert.equal(Boolean((await member(tp, w.blueFish.id, w.dev.id)).all_permissions), true);
    const before = await state();
    const again = await admin.post(devPage, { access: 'all' });
    assert.equal(again.status, 303);
    assert.deepEqual(await state(), before, 'no log entry for a save that changes nothing');
    assert.match(
      textOf((await admin.get(blue)).text),
      /The permissions of Dana Developer in Blue Fish Bakery were already as chosen; nothing was changed\./,
    );
  });

  it("the owner's access can not be edited: page and save refused, nothing changes", async () => {
    const ownerPage = `${blue}/users/${w.bob.id}/permissions`;
    const bobBefore = await member(tp, w.blueFish.id, w.bob.id);
    const logBefore = await count(tp, TABLES.log);
    const page = await admin.get(ownerPage);
    assert.equal(page.status, 403);
    assert.match(textOf(page.text), /The account owner always has every permission; their access can not be changed\./);
    const res = await admin.post(ownerPage, { access: 'choose', permissions: ['tickets'] });
    assert.equal(res.status, 403);
    assert.deepEqual(await member(tp, w.blueFish.id, w.bob.id), bobBefore);
    assert.equal(await count(tp, TABLES.log), logBefore);
  });

  it("another account's user, unknown ids and malformed ids answer 404 and change nothing", async () => {
    const before = await state();
    const other = await tp.f.user({ email: 'other@example.test' });
    await tp.f.member(w.acme.id, other.id, ['tickets']);
    const paths = [
      `${blue}/users/${other.id}/permissions`, // a user of Acme, not of Blue Fish
      `${BASE}/accounts/${w.acme.id}/users/${w.bob.id}/permissions`, // Blue Fish's owner, asked of Acme
      `${blue}/users/999999/permissions`,
      `${BASE}/accounts/999999/users/${w.dev.id}/permissions`,
      `${blue}/users/abc/permissions`,
    ];
    for (const path of paths) {
      assert.equal((await admin.get(path)).status, 404, `GET ${path}`);
      assert.equal((await admin.post(path, { access: 'all' })).status, 404, `POST ${path}`);
    }
    assert.deepEqual(await state(), before);
    assert.deepEqual(fromJson((await member(tp, w.acme.id, other.id)).permissions), ['tickets']);
  });

  const bad: Array<[string, Record<string, string | string[]>, RegExp]> = [
    ['no choice', {}, /Please choose All Permissions or Choose Permissions\./],
    ['no permission ticked', { access: 'choose' }, /Please choose at least one permission\./],
    ['an unknown permission', { access: 'choose', permissions: ['tickets', 'root'] }, /does not exist/],
    ['All Permissions with ticked boxes', { access: 'all', permissions: ['tickets'] }, /also ticked permissions/],
  ];
  for (const [what, body, message] of bad) {
    it(`bad input (${what}): 422, the form again with the message, nothing changed`, async () => {
      const before = await state();
      const res = await admin.post(devPage, body);
      assert.equal(res.status, 422);
      assert.match(textOf(res.text), message);
      assert.match(res.text, /role="alert" id="permissions-error"/);
      assert.match(res.text, new RegExp(`<form method="post" action="${devPage}"`));
      assert.deepEqual(await state(), before);
    });
  }

  it('a closed account: no link, page and save refused like Add User, nothing changed', async () => {
    await tp.knex('accounts').where('id', w.blueFish.id).update({ status: 'closed' });
    assert.doesNotMatch((await admin.get(blue)).text, /\/permissions"/);
    const before = await state();
    const page = await admin.get(devPage);
    assert.equal(page.status, 409);
    assert.match(textOf(page.text), /Blue Fish Bakery is closed, so the access of its users can not be changed\./);
    assert.equal((await admin.post(devPage, { access: 'all' })).status, 409);
    assert.deepEqual(await state(), before);
  });
});
