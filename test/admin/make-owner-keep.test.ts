import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { allRows, backend, count, foundRow } from '../helpers/db';
import { adminWorld, BASE, lastLog, member, owners, textOf, type AdminWorld } from './helpers';
import { loginTo } from '../users/setup';
import { TABLES } from '../../module/tables';
import { fromJson } from '../helpers/rows';

/** The access a membership row gives: 'all' or its keys. */
async function accessOf(tp: TestPortal, accountId: number, userId: number): Promise<'all' | string[]> {
  const row = await member(tp, accountId, userId);
  return row.all_permissions ? 'all' : (JSON.parse(row.permissions) as string[]);
}

/** Everything Make Owner may touch, to show a refused form changed none of it. */
async function state(tp: TestPortal, accountId: number) {
  const rows = await allRows(tp, TABLES.members, (q) => q.where('account_id', accountId).orderBy('id'));
  const primary = (await foundRow(tp, 'accounts', { id: accountId })).primary_user_id;
  return { rows, primary: Number(primary), log: await count(tp, TABLES.log) };
}

describe(`admin: Make Owner asks what the previous owner keeps (${backend})`, () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let admin: Client;
  let blue: string;
  beforeEach(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    admin = await tp.staffLogin(w.admin.email);
    blue = `${BASE}/accounts/${w.blueFish.id}`;
  });
  afterEach(() => tp.close());

  /** dev (Products and services, Support tickets in Blue Fish) becomes owner, bob keeping All Permissions. */
  async function devOwnsBlueFish(): Promise<void> {
    const res = await admin.post(`${blue}/users/${w.dev.id}/owner`, { access: 'all', ownerId: String(w.bob.id) });
    assert.equal(res.status, 303);
    assert.deepEqual(await owners(tp, w.blueFish.id), [w.dev.id]);
  }

  it('offers All Permissions (chosen), Chosen permissions with boxes; no earlier set if there was none', async () => {
    const page = await admin.get(`${blue}/users/${w.dev.id}/owner`);
    assert.equal(page.status, 200);
    const text = textOf(page.text);
    assert.match(text, /What Bob Baker keeps/);
    assert.match(page.text, /<input type="radio" id="keep-access-all" name="access" value="all" checked/);
    assert.match(page.text, /<input type="radio" id="keep-access-choose" name="access" value="choose"/);
    assert.doesNotMatch(page.text, /value="earlier"/);
    assert.match(page.text, /<label for="keep-access-all">All Permissions<\/label>/);
    assert.match(page.text, /<label for="keep-access-choose">Chosen permissions<\/label>/);
    assert.match(page.text, /<input type="checkbox" id="keep-perm-invoices" name="permissions" value="invoices"/);
    assert.match(page.text, new RegExp(`<input type="hidden" name="ownerId" value="${w.bob.id}">`));
    assert.doesNotMatch(page.text, /name="email"/, 'no e-mail field on this form');
  });

  it('All Permissions: the previous owner keeps everything, as before; the log says so', async () => {
    await devOwnsBlueFish();
    assert.equal(await accessOf(tp, w.blueFish.id, w.bob.id), 'all');
    const entry = await lastLog(tp, w.blueFish.id);
    assert.deepEqual(fromJson(entry.details), { previousOwnerId: w.bob.id, previousOwnerAccess: 'all' });
    const log = textOf((await admin.get(`${blue}/log`)).text);
    assert.match(log, /Previous owner: Bob Baker, keeps All permissions/);
  });

  it('Chosen permissions: the previous owner keeps exactly the ticked ones, felt on their next click', async () => {
    const bobClient = await tp.login(w.bob.email);
    assert.equal((await bobClient.get('/invoices')).status, 200);
    const res = await admin.post(`${blue}/users/${w.dev.id}/owner`, {
      access: 'choose',
      permissions: ['tickets', 'invoices'],
      ownerId: String(w.bob.id),
    });
    assert.equal(res.status, 303);
    assert.deepEqual(await owners(tp, w.blueFish.id), [w.dev.id]);
    assert.deepEqual(await accessOf(tp, w.blueFish.id, w.bob.id), ['invoices', 'tickets'], 'catalogue order');
    const entry = await lastLog(tp, w.blueFish.id);
    assert.equal(entry.action, 'owner_changed');
    assert.deepEqual(fromJson(entry.details), {
      previousOwnerId: w.bob.id,
      previousOwnerAccess: ['invoices', 'tickets'],
    });
    assert.match(
      textOf((await admin.get(`${blue}/log`)).text),
      /Previous owner: Bob Baker, keeps Invoices, Support tickets/,
    );
    assert.equal((await bobClient.get('/invoices')).status, 200);
    assert.equal((await bobClient.get('/services')).status, 403);
    assert.equal((await bobClient.get('/account/users')).status, 403, 'no longer the owner');
    // The new owner reads it in the account's own activity log.
    const dev = await loginTo(tp, w.dev.email, w.blueFish.id);
    assert.match(
      textOf((await dev.get('/account/activity')).text),
      /Previous owner: Bob Baker, keeps Invoices, Support tickets/,
    );
  });

  it('Their earlier permissions: offered once an owner had a set before, and gives back exactly that set', async () => {
    await devOwnsBlueFish();
    const row = await member(tp, w.blueFish.id, w.dev.id);
    assert.deepEqual(
      fromJson(row.before_owner_permissions),
      ['products', 'tickets'],
      'dev’s set is kept aside while dev owns the account',
    );

    const page = await admin.get(`${blue}/users/${w.bob.id}/owner`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<input type="radio" id="keep-access-earlier" name="access" value="earlier"/);
    assert.match(
      textOf(page.text),
      new RegExp(
        [
          /Their earlier permissions What they could do as a user before they became owner:/.source,
          / View services, Support tickets\./.source,
        ].join(''),
      ),
    );
    assert.match(
      page.text,
      /id="keep-access-all" name="access" value="all" checked/,
      'All Permissions stays the default',
    );

    const res = await admin.post(`${blue}/users/${w.bob.id}/owner`, { access: 'earlier', ownerId: String(w.dev.id) });
    assert.equal(res.status, 303);
    assert.deepEqual(await owners(tp, w.blueFish.id), [w.bob.id]);
    assert.deepEqual(await accessOf(tp, w.blueFish.id, w.dev.id), ['products', 'tickets']);
    assert.equal(
      (await member(tp, w.blueFish.id, w.dev.id)).before_owner_permissions,
      null,
      'cleared once no longer owner',
    );
    assert.equal(
      (await member(tp, w.blueFish.id, w.bob.id)).before_owner_permissions,
      null,
      'bob had All Permissions: nothing to keep aside',
    );
    assert.deepEqual(fromJson((await lastLog(tp, w.blueFish.id)).details), {
      previousOwnerId: w.dev.id,
      previousOwnerAccess: ['products', 'tickets'],
    });
    assert.equal(
      Number((await foundRow(tp, 'accounts', { id: w.blueFish.id })).primary_user_id),
      w.bob.id,
      'the portal follows',
    );
    const dev = await loginTo(tp, w.dev.email, w.blueFish.id);
    assert.equal((await dev.get('/tickets')).status, 200);
    assert.equal((await dev.get('/invoices')).status, 403);

    // bob had no set before: the next move offers no earlier permissions for him.
    assert.doesNotMatch((await admin.get(`${blue}/users/${w.dev.id}/owner`)).text, /value="earlier"/);
  });

  it('an invalid choice answers 422 with the form again and changes nothing', async () => {
    await devOwnsBlueFish();
    const path = `${blue}/users/${w.bob.id}/owner`;
    const ownerId = String(w.dev.id);
    const cases: Array<[string, Record<string, string | string[]>, RegExp]> = [
      ['no choice', { ownerId }, /Please choose what Dana Developer keeps\. Nothing was changed\./],
      ['an unknown choice', { access: 'owner', ownerId }, /Please choose what Dana Developer keeps\./],
      [
        'All Permissions with ticked boxes',
        { access: 'all', permissions: ['tickets'], ownerId },
        /Ticked permissions go with “Chosen permissions” only/,
      ],
      [
        'earlier permissions with ticked boxes',
        { access: 'earlier', permissions: ['tickets'], ownerId },
        /Ticked permissions go with “Chosen permissions” only/,
      ],
      ['Chosen permissions with none ticked', { access: 'choose', ownerId }, /Please choose at least one permission/],
      [
        'an unknown permission',
        { access: 'choose', permissions: ['tickets', 'root'], ownerId },
        /One of the chosen permissions does not exist/,
      ],
    ];
    const before = await state(tp, w.blueFish.id);
    for (const [what, fields, message] of cases) {
      const res = await admin.post(path, fields);
      assert.equal(res.status, 422, what);
      assert.match(textOf(res.text), message, what);
      assert.match(res.text, new RegExp(`<form method="post" action="${path}"`), `${what}: the form again`);
      assert.deepEqual(await state(tp, w.blueFish.id), before, `${what}: nothing changed`);
    }
    // Known ticks are kept on the form shown again.
    const again = await admin.post(path, { access: 'choose', permissions: ['tickets', 'root'], ownerId });
    assert.match(again.text, /id="keep-perm-tickets" name="permissions" value="tickets" checked/);
    assert.match(again.text, /id="keep-access-choose" name="access" value="choose" checked/);
  });

  it('their earlier permissions when none are stored: 422, nothing changed', async () => {
    const before = await state(tp, w.blueFish.id);
    const res = await admin.post(`${blue}/users/${w.dev.id}/owner`, { access: 'earlier', ownerId: String(w.bob.id) });
    assert.equal(res.status, 422);
    assert.match(textOf(res.text), /No earlier permissions of Bob Baker are stored/);
    assert.deepEqual(await state(tp, w.blueFish.id), before);
  });

  it('a page shown for another owner changes nothing (409): the choice was about that person', async () => {
    const sam = await tp.f.user({ email: 'sam@example.test', firstName: 'Sam', lastName: 'Smith' });
    await tp.f.member(w.blueFish.id, sam.id, ['tickets']);
    // A second tab opened Make Owner for Sam while bob owned the account; then dev became owner.
    const stale = await admin.get(`${blue}/users/${sam.id}/owner`);
    assert.match(stale.text, new RegExp(`name="ownerId" value="${w.bob.id}"`));
    await devOwnsBlueFish();
    const before = await state(tp, w.blueFish.id);
    const res = await admin.post(`${blue}/users/${sam.id}/owner`, {
      access: 'choose',
      permissions: ['invoices'],
      ownerId: String(w.bob.id),
    });
    assert.equal(res.status, 409);
    assert.match(textOf(res.text), /The owner of this account changed while this page was open\. Nothing was changed/);
    assert.deepEqual(await state(tp, w.blueFish.id), before);
  });

  it('an account without an owner needs no choice', async () => {
    await tp.knex(TABLES.members).where({ account_id: w.blueFish.id, user_id: w.bob.id }).del();
    const page = await admin.get(`${blue}/users/${w.dev.id}/owner`);
    assert.doesNotMatch(page.text, /name="access"/);
    assert.match(textOf(page.text), /The account has no owner at the moment/);
    const res = await admin.post(`${blue}/users/${w.dev.id}/owner`, { ownerId: '' });
    assert.equal(res.status, 303);
    assert.deepEqual(await owners(tp, w.blueFish.id), [w.dev.id]);
    assert.deepEqual(fromJson((await lastLog(tp, w.blueFish.id)).details), { previousOwnerId: null });
  });
});
