import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, membership, type DemoLike } from './setup';
import { count } from '../helpers/db';
import { TABLES } from '../../module/tables';

const DAY = 86_400_000;

/** The day `days` after the clock's today, as a date input sends it (the test portal's time zone is UTC). */
function dayFrom(now: number, days: number): string {
  return new Date(now + days * DAY).toISOString().slice(0, 10);
}

const BEYOND_UNTIL = /Your own access ends on a set day, so the access you give must end by then too/;

/**
 * A user manager whose own access ends on a day: bob owns Blue Fish and gives dev Manage users
 * until ten days from now; Rita is a regular user there with tickets and no end date.
 */
describe('user managers whose own access ends on a day', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let dev: Client;
  let rita: { id: number; email: string };
  let devDay: string;

  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    rita = await tp.f.user({ email: 'rita@example.test', firstName: 'Rita', lastName: 'Regular' });
    await tp.f.member(d.blueFish.id, rita.id, ['tickets']);
    const bob = await tp.login(d.bob.email);
    devDay = dayFrom(tp.clock.now(), 10);
    const res = await bob.post(`/account/users/${d.dev.id}/permissions`, {
      access: 'choose',
      permissions: ['products', 'tickets', 'manageusers'],
      accessUntil: devDay,
    });
    assert.equal(res.status, 303);
    dev = await loginTo(tp, d.dev.email, d.blueFish.id);
  });
  afterEach(() => tp.close());

  async function unchanged(attempt: () => Promise<{ status: number; text: string }>): Promise<void> {
    const before = JSON.stringify([
      await membership(tp, d.blueFish.id, rita.id),
      await count(tp, TABLES.invites),
      await count(tp, TABLES.log),
      await count(tp, 'outbox'),
    ]);
    const res = await attempt();
    assert.equal(res.status, 403, res.text.slice(0, 400));
    assert.match(res.text, BEYOND_UNTIL);
    const after = JSON.stringify([
      await membership(tp, d.blueFish.id, rita.id),
      await count(tp, TABLES.invites),
      await count(tp, TABLES.log),
      await count(tp, 'outbox'),
    ]);
    assert.equal(after, before, 'nothing changed');
  }

  it('invites only with an end date no later than their own', async () => {
    await unchanged(() =>
      dev.post('/account/users/invite', { email: 'none@example.test', access: 'choose', permissions: 'tickets' }),
    );
    await unchanged(() =>
      dev.post('/account/users/invite', {
        email: 'later@example.test',
        access: 'choose',
        permissions: 'tickets',
        accessUntil: dayFrom(tp.clock.now(), 11),
      }),
    );
    const ok = await dev.post('/account/users/invite', {
      email: 'same@example.test',
      access: 'choose',
      permissions: 'tickets',
      accessUntil: devDay,
    });
    assert.equal(ok.status, 303, ok.text.slice(0, 400));
    assert.equal(await count(tp, TABLES.invites, { email: 'same@example.test' }), 1);
  });

  it('can not give more to someone whose access outlasts theirs, nor move an end date past theirs', async () => {
    // Rita has no end date: adding a permission would give it beyond dev's own day.
    await unchanged(() =>
      dev.post(`/account/users/${rita.id}/permissions`, { access: 'choose', permissions: ['tickets', 'products'] }),
    );
    await unchanged(() =>
      dev.post(`/account/users/${rita.id}/permissions`, {
        access: 'choose',
        permissions: 'tickets',
        accessUntil: dayFrom(tp.clock.now(), 30),
      }),
    );
    // Taking access away stays possible, and so does an end date within dev's own.
    const less = await dev.post(`/account/users/${rita.id}/permissions`, { access: 'choose', permissions: 'tickets' });
    assert.equal(less.status, 303);
    const bounded = await dev.post(`/account/users/${rita.id}/permissions`, {
      access: 'choose',
      permissions: ['tickets', 'products'],
      accessUntil: dayFrom(tp.clock.now(), 5),
    });
    assert.equal(bounded.status, 303, bounded.text.slice(0, 400));
    const row = await membership(tp, d.blueFish.id, rita.id);
    assert.notEqual(row.access_until, null);
  });
});
