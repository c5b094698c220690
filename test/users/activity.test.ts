import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, type DemoLike } from './setup';

describe('the account\'s activity log', () => {
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

  const rows = (html: string) => [...html.matchAll(/<tr>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>/g)].map((m) => m.slice(1));

  it('shows who did what to whom, when and from which IP, newest first', async () => {
    await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'choose', permissions: ['tickets', 'invoices'] });
    tp.clock.advance(60_000);
    await alice.post(`/account/users/${d.dev.id}/remove`);
    const res = await alice.get('/account/activity');
    assert.equal(res.status, 200);
    assert.match(res.text, /<h1>Activity log<\/h1>/);
    const [removed, changed] = rows(res.text);
    assert.deepEqual(removed.slice(1, 4), ['Alice Archer', 'Removed access', 'Dana Developer']);
    assert.deepEqual(changed.slice(1, 5), ['Alice Archer', 'Changed permissions', 'Dana Developer', 'From All permissions to Invoices, Support tickets']);
    assert.match(removed[5], /^(::ffff:)?127\.0\.0\.1$|^::1$/, 'the IP address');
    assert.match(removed[0], /\d{4}/, 'the time');
  });

  it('puts every action name into words, with staff and system actors named as such', async () => {
    const actions = ['permissions_changed', 'removed', 'left', 'user_added', 'owner_changed', 'owner_backfilled', 'account_switched', 'invite_sent', 'invite_resent', 'invite_cancelled', 'invite_accepted'];
    const now = Date.now();
    await tp.knex('mod_account_users_log').insert(actions.map((action, i) => ({
      account_id: d.acme.id, actor_type: i === 0 ? 'admin' : i === 5 ? 'system' : 'user', actor_id: i === 5 ? null : d.alice.id, actor_name: i === 0 ? 'Ada Admin' : 'Alice Archer',
      action, target_user_id: action.startsWith('invite_') ? null : d.dev.id, target_email: action.startsWith('invite_') ? 'new@example.test' : null,
      details: null, ip: '203.0.113.7', created_at: now + i,
    })));
    const text = (await alice.get('/account/activity')).text;
    for (const words of ['Changed permissions', 'Removed access', 'Left the account', 'Gave access', 'Made account owner', 'Became account owner', 'Opened the account', 'Sent an invitation', 'Sent an invitation again', 'Cancelled an invitation', 'Accepted an invitation']) {
      assert.match(text, new RegExp(`<td>${words}`), words);
    }
    assert.doesNotMatch(text, /activity\.action\./, 'no untranslated keys');
    assert.match(text, /Ada Admin \(support staff\)/);
    assert.match(text, /<td>System<\/td>/);
    assert.match(text, /<td>new@example.test<\/td>/);
    assert.match(text, /<td>203\.0\.113\.7<\/td>/);
  });

  it('shows only this account\'s entries and pages them, 50 at a time', async () => {
    const now = Date.now();
    const entry = (accountId: number, i: number) => ({ account_id: accountId, actor_type: 'user', actor_id: d.alice.id, actor_name: `Actor ${i}`, action: 'removed', target_user_id: null, target_email: null, details: null, ip: null, created_at: now + i });
    await tp.knex.batchInsert('mod_account_users_log', Array.from({ length: 120 }, (_, i) => entry(d.acme.id, i)), 60);
    await tp.knex('mod_account_users_log').insert({ ...entry(d.blueFish.id, 999), actor_name: 'Bob Elsewhere' });
    const first = await alice.get('/account/activity');
    assert.equal(rows(first.text).length, 50);
    assert.equal(rows(first.text)[0][1], 'Actor 119');
    assert.match(first.text, /href="\/account\/activity\?page=2" rel="next"/);
    const third = await alice.get('/account/activity?page=3');
    assert.equal(rows(third.text).length, 20);
    assert.equal(rows(third.text)[19][1], 'Actor 0');
    assert.doesNotMatch(third.text, /rel="next"/);
    assert.match(third.text, /rel="prev"/);
    for (const page of [first, third]) assert.doesNotMatch(page.text, /Bob Elsewhere/);
  });

  it('is for the owner only', async () => {
    const dev = await loginTo(tp, d.dev.email, d.acme.id);
    const res = await dev.get('/account/activity');
    assert.equal(res.status, 403);
    // Bob owns Blue Fish: he sees its log, never Acme's.
    await alice.post(`/account/users/${d.dev.id}/remove`);
    const bob = await tp.login(d.bob.email);
    assert.doesNotMatch((await bob.get('/account/activity')).text, /Removed access/);
  });
});
