import assert from 'node:assert/strict';
import { count, foundRow } from '../helpers/db';
import { assertWalksBothWays, pagerLink, walkPages } from '../helpers/pager';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, type DemoLike } from './setup';
import { TABLES } from '../../module/tables';

describe("the account's activity log", () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    alice = await tp.login(d.alice.email);
    await alice.refreshCsrf('/account/users');
  });
  afterEach(() => tp.close());

  const rows = (html: string) =>
    [...html.matchAll(new RegExp(/<tr[^>]*>/.source + /\s*<td[^>]*>([^<]*)<\/td>/.source.repeat(6), 'g'))].map((m) =>
      m.slice(1),
    );

  it('shows who did what to whom, when and from which IP, newest first', async () => {
    await alice.post(`/account/users/${d.dev.id}/permissions`, {
      access: 'choose',
      permissions: ['tickets', 'invoices'],
    });
    tp.clock.advance(60_000);
    await alice.post(`/account/users/${d.dev.id}/remove`);
    const res = await alice.get('/account/activity');
    assert.equal(res.status, 200);
    assert.match(res.text, /<h1>Activity log<\/h1>/);
    const [removed, changed] = rows(res.text);
    assert.deepEqual(removed.slice(1, 4), ['Alice Archer', 'Removed access', 'Dana Developer']);
    assert.deepEqual(changed.slice(1, 5), [
      'Alice Archer',
      'Changed permissions',
      'Dana Developer',
      'From All permissions to Invoices, Support tickets',
    ]);
    assert.match(removed[5], /^127\.0\.0\.1$|^::1$/, 'the IP address, IPv4 without the IPv6 mapping prefix');
    assert.match(removed[0], /\d{4}/, 'the time');
  });

  it('puts every action name into words, with staff and system actors named as such', async () => {
    const actions = [
      'permissions_changed',
      'removed',
      'left',
      'user_added',
      'owner_changed',
      'owner_backfilled',
      'account_switched',
      'invite_sent',
      'invite_resent',
      'invite_cancelled',
      'invite_accepted',
    ];
    const now = Date.now();
    await tp.knex(TABLES.log).insert(
      actions.map((action, i) => ({
        account_id: d.acme.id,
        actor_type: i === 0 ? 'admin' : i === 5 ? 'system' : 'user',
        actor_id: i === 5 ? null : d.alice.id,
        actor_name: i === 0 ? 'Ada Admin' : 'Alice Archer',
        action,
        target_user_id: action.startsWith('invite_') ? null : d.dev.id,
        target_email: action.startsWith('invite_') ? 'new@example.test' : null,
        details: null,
        ip: i === 1 ? '::ffff:203.0.113.7' : i === 2 ? '2001:db8::7' : '203.0.113.7',
        created_at: now + i,
      })),
    );
    const text = (await alice.get('/account/activity')).text;
    for (const words of [
      'Changed permissions',
      'Removed access',
      'Left the account',
      'Gave access',
      'Made account owner',
      'Became account owner',
      'Opened the account',
      'Sent an invitation',
      'Sent an invitation again',
      'Cancelled an invitation',
      'Accepted an invitation',
    ]) {
      assert.match(text, new RegExp(`<td[^>]*>${words}`), words);
    }
    assert.doesNotMatch(text, /activity\.action\./, 'no untranslated keys');
    assert.match(text, /Ada Admin \(support staff\)/);
    assert.match(text, /<td[^>]*>System<\/td>/);
    assert.match(text, /<td[^>]*>new@example.test<\/td>/);
    assert.match(text, /<td[^>]*>203\.0\.113\.7<\/td>/);
    assert.doesNotMatch(text, /::ffff:/, 'an IPv4-mapped address shows as IPv4');
    assert.match(text, /<td[^>]*>2001:db8::7<\/td>/, 'a real IPv6 address is kept');
    assert.match(
      text,
      /Became account owner when User Management was turned on/,
      "the system entry in the customer's words",
    );
    assert.doesNotMatch(text, /Account Users/, "not the module's name");
  });

  it("shows only this account's entries and pages them, 50 at a time", async () => {
    const now = Date.now();
    const entry = (accountId: number, i: number) => ({
      account_id: accountId,
      actor_type: 'user',
      actor_id: d.alice.id,
      actor_name: `Actor ${i}`,
      action: 'removed',
      target_user_id: null,
      target_email: null,
      details: null,
      ip: null,
      created_at: now + i,
    });
    await tp.knex.batchInsert(
      TABLES.log,
      Array.from({ length: 120 }, (_, i) => entry(d.acme.id, i)),
      60,
    );
    await tp.knex(TABLES.log).insert({ ...entry(d.blueFish.id, 999), actor_name: 'Bob Elsewhere' });
    const first = await alice.get('/account/activity');
    assert.equal(rows(first.text).length, 50);
    assert.equal(rows(first.text)[0][1], 'Actor 119');
    assert.equal(pagerLink(first.text, 'prev'), undefined);
    assert.equal(pagerLink(first.text, 'last'), '/account/activity?last=1');
    // Newest first with Next, and back from the last page with Previous: each entry once, in order.
    const who = (html: string) => rows(html).map((r) => r[1]);
    const forward = (await walkPages(alice, '/account/activity', 'next', who)).flat();
    const actors = Array.from({ length: 120 }, (_, i) => `Actor ${119 - i}`);
    assert.deepEqual(
      forward.filter((n) => n.startsWith('Actor ')),
      actors,
    );
    assert.ok(!forward.includes('Bob Elsewhere'));
    const { lastPage } = await assertWalksBothWays(alice, '/account/activity', who, forward, 50);
    assert.deepEqual(lastPage, forward.slice(-50), 'the last page shows the oldest entries');
    // Cursors that are not ids show the first page; another account's entry id shows nothing of it.
    const firstRows = who(first.text);
    for (const q of ['after=abc', 'before=0', 'after=2147483648', 'last=true'])
      assert.deepEqual(who((await alice.get(`/account/activity?${q}`)).text), firstRows, q);
    const theirs = await foundRow(tp, TABLES.log, { actor_name: 'Bob Elsewhere' });
    for (const c of ['after', 'before'])
      assert.doesNotMatch((await alice.get(`/account/activity?${c}=${theirs.id}`)).text, /Bob Elsewhere/);
  });

  it('is for the owner only', async () => {
    const dev = await loginTo(tp, d.dev.email, d.acme.id);
    const res = await dev.get('/account/activity');
    assert.equal(res.status, 403);
    // Bob owns Blue Fish: he sees its log, never Acme's.
    await alice.post(`/account/users/${d.dev.id}/remove`);
    const bob = await tp.login(d.bob.email);
    assert.ok(!rows((await bob.get('/account/activity')).text).some((r) => r[2] === 'Removed access'));
  });
  it('switching back and forth logs a switch into an account at most once an hour per person', async () => {
    const dev = await loginTo(tp, d.dev.email, d.acme.id);
    for (let i = 0; i < 20; i += 1) {
      assert.equal(
        (await dev.post('/account/switch', { accountId: String(i % 2 ? d.acme.id : d.blueFish.id) })).status,
        303,
      );
    }
    const switches = (accountId: number) =>
      count(tp, TABLES.log, { account_id: accountId, action: 'account_switched', target_user_id: d.dev.id });
    assert.equal(await switches(d.acme.id), 1);
    assert.equal(await switches(d.blueFish.id), 1);
    tp.clock.advance(3600_000 + 1000);
    await dev.post('/account/switch', { accountId: String(d.blueFish.id) });
    await dev.post('/account/switch', { accountId: String(d.acme.id) });
    assert.equal(await switches(d.acme.id), 2, 'an hour later it is logged again');
    assert.equal(await switches(d.blueFish.id), 2);
  });

  it('the owner filters the log by action; the pages keep the filter', async () => {
    await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'choose', permissions: ['tickets'] });
    for (let i = 0; i < 55; i += 1) {
      await tp.knex(TABLES.log).insert({
        account_id: d.acme.id,
        actor_type: 'user',
        actor_id: d.alice.id,
        actor_name: 'Alice Archer',
        action: 'invite_sent',
        target_email: `x${i}@example.test`,
        details: '{}',
        created_at: tp.clock.now(),
      });
    }
    const page = await alice.get('/account/activity');
    assert.match(page.text, /<label for="activity-action">Action<\/label>/);
    assert.match(page.text, /<option value="permissions_changed">Changed permissions<\/option>/);
    const filtered = await alice.get('/account/activity?action=permissions_changed');
    assert.equal(filtered.status, 200);
    assert.deepEqual(
      rows(filtered.text).map((r) => r[2]),
      ['Changed permissions'],
    );
    assert.match(filtered.text, /<option value="permissions_changed" selected>/);
    const sent = await alice.get('/account/activity?action=invite_sent');
    assert.equal(rows(sent.text).length, 50);
    const next = pagerLink(sent.text, 'next')!;
    assert.match(next, /^\/account\/activity\?after=[0-9]+&action=invite_sent$/);
    assert.equal(rows((await alice.get(next)).text).length, 5);
    assert.equal(rows((await alice.get(pagerLink(sent.text, 'last')!)).text).length, 50);
    // An unknown action shows everything rather than an error.
    assert.equal(rows((await alice.get('/account/activity?action=drop%20table')).text).length, 50);
  });
});
