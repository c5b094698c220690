import assert from 'node:assert/strict';
import { createApp, type Portal } from '../../host/app';
import { createKnex } from '../../host/db';
import { Client, quietLogger, setupPortal, testConfig, type TestPortal } from '../helpers/portal';
import { allRows, count, sharedKnex } from '../helpers/db';
import { Factories } from '../helpers/factories';
import { demoLike, loginTo, membership, type DemoLike } from './setup';
import { TABLES } from '../../module/tables';
import { BASE } from '../admin/helpers';
import { lastMail, linkOf } from '../invites/helpers';

const DAY = 86_400_000;
/** A guarded page any member of the account may open. */
const GUARDED = '/account/leave';

/** The day `days` after the clock's today, as a date input sends it (the test portal's time zone is UTC). */
function dayFrom(now: number, days: number): string {
  return new Date(now + days * DAY).toISOString().slice(0, 10);
}
/** The first moment after that day: when access "until" it ends. */
function endOf(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) + DAY;
}

/**
 * Access until a date: the owner gives a member an end date; from the end of that day the
 * member's next request is refused like a removal, in every app instance, logged once; the person
 * is reminded three days before.
 */
describe('access until a date', () => {
  let tp: TestPortal;
  let w: DemoLike;
  let alice: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    w = await demoLike(tp);
    alice = await loginTo(tp, w.alice.email, w.acme.id);
  });
  afterEach(() => tp.close());

  const setUntil = (userId: number, until: string, access: Record<string, string | string[]> = { access: 'all' }) =>
    alice.post(`/account/users/${userId}/permissions`, { ...access, accessUntil: until });

  it('the owner sets an end date; User Management shows "until" and the row keeps the end of that day', async () => {
    const day = dayFrom(tp.clock.now(), 10);
    assert.equal((await setUntil(w.dev.id, day)).status, 303);
    assert.equal(Number((await membership(tp, w.acme.id, w.dev.id)).access_until), endOf(day));
    const list = await alice.get('/account/users');
    const shown = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(endOf(day) - 1),
    );
    assert.ok(list.text.includes(`until ${shown}`), 'until on the list');
    const form = await alice.get(`/account/users/${w.dev.id}/permissions`);
    assert.match(form.text, new RegExp(`name="accessUntil" type="date" value="${day}"`));
    assert.deepEqual(await logActionsOf(tp, w.acme.id), ['permissions_changed']);
  });

  it('ends exactly at the boundary: one ms before it opens, at it the request is refused with the date', async () => {
    const day = dayFrom(tp.clock.now(), 5);
    await setUntil(w.dev.id, day);
    const dev = await loginTo(tp, w.dev.email, w.acme.id);
    tp.clock.freeze(endOf(day) - 1);
    assert.equal((await dev.get(GUARDED)).status, 200);
    tp.clock.freeze(endOf(day));
    const refused = await dev.get(GUARDED);
    assert.equal(refused.status, 302);
    assert.match(refused.headers.location, /^\/account\/switch/);
    // Blue Fish stays: the chooser offers it, not Acme, and says when Acme's access ended.
    const chooser = await dev.get(refused.headers.location);
    assert.match(chooser.text, /Your access to Acme Web Studio was granted until [^<]+ and has ended/);
    assert.doesNotMatch(chooser.text, /Acme Web Studio<\/(a|button|span)/);
    // Posting a form of the ended account changes nothing either.
    assert.equal((await dev.post('/account/switch', { accountId: String(w.acme.id) })).status, 403);
    assert.deepEqual(await logActionsOf(tp, w.acme.id), ['permissions_changed', 'access_expired']);
    // The owner's activity log says what was set and that it ended, with the last day.
    const shown = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(endOf(day) - 1),
    );
    const log = (await alice.get('/account/activity')).text;
    assert.ok(log.includes('Access ended on its end date'), 'the action');
    assert.ok(log.includes(`Access was until ${shown}`), 'the ended entry');
    assert.ok(log.includes(`Access until ${shown}`), 'the change');
  });

  it('an end date costs a guarded page no query of its own', async () => {
    const dev = await loginTo(tp, w.dev.email, w.acme.id);
    let queries = 0;
    const counting = () => {
      queries += 1;
    };
    const measure = async () => {
      await dev.get(GUARDED);
      queries = 0;
      tp.knex.on('query', counting);
      assert.equal((await dev.get(GUARDED)).status, 200);
      tp.knex.off('query', counting);
      return queries;
    };
    const without = await measure();
    await setUntil(w.dev.id, dayFrom(tp.clock.now(), 30));
    assert.equal(await measure(), without);
  });

  it('across two app instances: both refuse at the boundary and the end is logged once', async () => {
    const day = dayFrom(tp.clock.now(), 3);
    await setUntil(w.dev.id, day);
    const { url } = await sharedKnex();
    const knexB = createKnex(url);
    let portalB: Portal | undefined;
    try {
      portalB = await createApp({
        knex: knexB,
        config: testConfig(),
        logger: quietLogger,
        moduleStateTtlMs: 0,
        now: tp.clock.now,
      });
      const onA = await loginTo(tp, w.dev.email, w.acme.id);
      const onB = await Client.login(portalB.app, w.dev.email, Factories.PASSWORD);
      await onB.refreshCsrf('/account/switch');
      assert.equal((await onB.post('/account/switch', { accountId: String(w.acme.id) })).status, 303);
      tp.clock.freeze(endOf(day) - 1);
      assert.equal((await onA.get(GUARDED)).status, 200);
      assert.equal((await onB.get(GUARDED)).status, 200);
      tp.clock.freeze(endOf(day));
      const answers = await Promise.all([onA, onB].map((c) => c.get(GUARDED)));
      assert.deepEqual(
        answers.map((a) => [a.status, a.headers.location?.split('?')[0]]),
        [
          [302, '/account/switch'],
          [302, '/account/switch'],
        ],
      );
      assert.equal(await count(tp, TABLES.log, { action: 'access_expired', account_id: w.acme.id }), 1);
    } finally {
      await portalB?.close();
      await knexB.destroy();
    }
  });

  it('extension and clearing: a later date opens the account again, an empty field removes the end', async () => {
    const day = dayFrom(tp.clock.now(), 2);
    await setUntil(w.dev.id, day);
    const dev = await loginTo(tp, w.dev.email, w.acme.id);
    tp.clock.freeze(endOf(day));
    assert.equal((await dev.get(GUARDED)).status, 302);
    const list = await alice.get('/account/users');
    assert.match(list.text, /ended \(until /);
    // Extended by ten days: the chooser offers Acme again and the account opens.
    const later = dayFrom(tp.clock.now(), 10);
    assert.equal((await setUntil(w.dev.id, later)).status, 303);
    assert.equal((await dev.post('/account/switch', { accountId: String(w.acme.id) })).status, 303);
    assert.equal((await dev.get(GUARDED)).status, 200);
    // Cleared: no end at all, even long after.
    assert.equal((await setUntil(w.dev.id, '')).status, 303);
    assert.equal((await membership(tp, w.acme.id, w.dev.id)).access_until, null);
    tp.clock.advance(400 * DAY);
    assert.equal((await dev.get(GUARDED)).status, 200);
  });

  it('login and the chooser hide an ended membership: the one account left opens by itself', async () => {
    const day = dayFrom(tp.clock.now(), 1);
    const bob = await loginTo(tp, w.bob.email, w.blueFish.id);
    await bob.post(`/account/users/${w.dev.id}/permissions`, {
      access: 'choose',
      permissions: ['products', 'tickets'],
      accessUntil: day,
    });
    tp.clock.freeze(endOf(day));
    const dev = await tp.login(w.dev.email);
    // Only Acme is left, so the session enters it at login, as with one account.
    assert.equal((await dev.get(GUARDED)).status, 200);
    const chooser = await dev.get('/account/switch');
    assert.doesNotMatch(chooser.text, /Blue Fish Bakery/);
    // Signing in noticed the ended access: logged once, however often the person signs in.
    await tp.login(w.dev.email);
    assert.equal(await count(tp, TABLES.log, { action: 'access_expired', account_id: w.blueFish.id }), 1);
    // Switch Account has nowhere else to go.
    assert.doesNotMatch((await dev.get(GUARDED)).text, /Switch Account/);
  });

  it('refuses an end date in the past, more than a year ahead or not a date (422), changing nothing', async () => {
    const now = tp.clock.now();
    for (const bad of [dayFrom(now, -1), dayFrom(now, 367), '2026-02-30', 'soon']) {
      const res = await setUntil(w.dev.id, bad, { access: 'choose', permissions: ['tickets'] });
      assert.equal(res.status, 422, bad);
      assert.match(res.text, /id="access-until-error"/, bad);
    }
    const row = await membership(tp, w.acme.id, w.dev.id);
    assert.equal(row.access_until, null);
    assert.equal(Number(row.all_permissions), 1);
    // Today is the earliest day (access until the end of today); a year ahead the latest.
    assert.equal((await setUntil(w.dev.id, dayFrom(now, 0))).status, 303);
    assert.equal((await setUntil(w.dev.id, dayFrom(now, 365))).status, 303);
  });

  it("refuses an end date for the owner's access (422) on the owner's and on staff's form", async () => {
    const day = dayFrom(tp.clock.now(), 10);
    const staff = await tp.staffLogin();
    const own = await alice.post(`/account/users/${w.alice.id}/permissions`, { access: 'all', accessUntil: day });
    assert.equal(own.status, 422);
    assert.match(own.text, /The account owner(&#39;|')s access has no end date\./);
    const staffOwner = await staff.post(`${BASE}/accounts/${w.acme.id}/users/${w.alice.id}/permissions`, {
      access: 'all',
      accessUntil: day,
    });
    assert.equal(staffOwner.status, 422);
    assert.equal((await membership(tp, w.acme.id, w.alice.id)).access_until, null);
    // Without a date the owner's page stays what it was: refused, not invalid.
    assert.equal((await alice.post(`/account/users/${w.alice.id}/permissions`, { access: 'all' })).status, 403);
  });

  it("staff set, show and clear a member's end date; a past day is refused with the field's message", async () => {
    const staff = await tp.staffLogin();
    const path = `${BASE}/accounts/${w.acme.id}/users/${w.dev.id}/permissions`;
    const day = dayFrom(tp.clock.now(), 30);
    assert.equal((await staff.post(path, { access: 'all', accessUntil: day })).status, 303);
    assert.equal(Number((await membership(tp, w.acme.id, w.dev.id)).access_until), endOf(day));
    assert.match((await staff.get(path)).text, new RegExp(`name="accessUntil" type="date" value="${day}"`));
    assert.match((await staff.get(`${BASE}/accounts/${w.acme.id}`)).text, /<span class="au-badge">until [^<]+<\/span>/);
    const past = await staff.post(path, { access: 'all', accessUntil: dayFrom(tp.clock.now(), -2) });
    assert.equal(past.status, 422);
    assert.match(past.text, /id="access-until-error"[^>]*>That day has already passed/);
    assert.equal((await staff.post(path, { access: 'all', accessUntil: '' })).status, 303);
    assert.equal((await membership(tp, w.acme.id, w.dev.id)).access_until, null);
  });

  it('an invitation carries the end date to the membership it creates; a past day is refused (422)', async () => {
    const day = dayFrom(tp.clock.now(), 7);
    const past = await alice.post('/account/users/invite', {
      email: 'carla@example.test',
      access: 'choose',
      permissions: ['tickets'],
      accessUntil: dayFrom(tp.clock.now(), -1),
    });
    assert.equal(past.status, 422);
    assert.match(past.text, /id="invite-access-until-error"[^>]*>That day has already passed/);
    assert.equal(await count(tp, TABLES.invites), 0);
    const sent = await alice.post('/account/users/invite', {
      email: 'carla@example.test',
      access: 'choose',
      permissions: ['tickets'],
      accessUntil: day,
    });
    assert.equal(sent.status, 303);
    assert.match((await alice.get('/account/users')).text, /<span class="au-badge">until [^<]+<\/span>/);
    const carla = await tp.f.user({ email: 'carla@example.test' });
    const link = linkOf(await lastMail(tp, 'carla@example.test'));
    const client = await tp.login('carla@example.test');
    await client.refreshCsrf(link.path);
    assert.equal((await client.post(`${link.path}/accept`)).status, 303);
    assert.equal(Number((await membership(tp, w.acme.id, carla.id)).access_until), endOf(day));
    tp.clock.freeze(endOf(day));
    assert.equal((await client.get(GUARDED)).status, 302);
    // The link clicked again after the end opens nothing.
    assert.equal((await client.post(`${link.path}/accept`)).status, 404);
  });

  it('a bulk invitation gives every address the same end date', async () => {
    const day = dayFrom(tp.clock.now(), 9);
    const res = await alice.post('/account/users/invite', {
      email: 'one@example.test, two@example.test',
      access: 'all',
      accessUntil: day,
    });
    assert.equal(res.status, 200);
    const rows = await allRows(tp, TABLES.invites);
    assert.deepEqual(
      rows.map((r) => Number(r.access_until)),
      [endOf(day), endOf(day)],
    );
  });

  it('e-mails the person once, three days before access ends, whatever instance sweeps', async () => {
    const day = dayFrom(tp.clock.now(), 20);
    await setUntil(w.dev.id, day);
    const mails = () =>
      allRows(tp, 'outbox', (q) => q.where('to_address', w.dev.email).where('subject', 'like', '%ends soon%'));
    tp.clock.freeze(endOf(day) - 3 * DAY - 1);
    assert.deepEqual(await tp.portal.accountUsers.sweep(), { expired: 0, reminded: 0, logDeleted: 0 });
    assert.equal((await mails()).length, 0);
    tp.clock.freeze(endOf(day) - 3 * DAY);
    const [a, b] = await Promise.all([tp.portal.accountUsers.sweep(), tp.portal.accountUsers.sweep()]);
    assert.equal(a.reminded + b.reminded, 1);
    await tp.portal.accountUsers.sweep();
    const sent = await mails();
    assert.equal(sent.length, 1);
    assert.match(sent[0].text, /Your access to the customer account Acme Web Studio ends on/);
    // At the end the sweep logs it (nobody made a request), once.
    tp.clock.freeze(endOf(day));
    assert.equal((await tp.portal.accountUsers.sweep()).expired, 1);
    assert.equal((await tp.portal.accountUsers.sweep()).expired, 0);
    assert.equal(await count(tp, TABLES.log, { action: 'access_expired' }), 1);
  });

  it('sends no reminder with notifyAccessEnding off', async () => {
    await tp.setSettings({ notifyAccessEnding: false });
    const day = dayFrom(tp.clock.now(), 1);
    await setUntil(w.dev.id, day);
    tp.clock.freeze(endOf(day) - DAY);
    assert.equal((await tp.portal.accountUsers.sweep()).reminded, 0);
  });
});

async function logActionsOf(tp: TestPortal, accountId: number): Promise<string[]> {
  const rows = await allRows(tp, TABLES.log, (q) =>
    q.where('account_id', accountId).whereNot('action', 'account_switched').orderBy('id'),
  );
  return rows.map((r) => r.action);
}
