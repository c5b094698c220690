import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { allRows, count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { invite, ownerSetup, traces } from './helpers';

/** Invites every address of `text` with one access choice, as the owner's form posts it. */
function inviteMany(owner: Client, text: string, permissions: 'all' | string[] = 'all') {
  return owner.post(
    '/account/users/invite',
    permissions === 'all' ? { email: text, access: 'all' } : { email: text, access: 'choose', permissions },
  );
}

/** The results table of the page: each address with what became of it. */
function resultsOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<tr role="row" data-result="(\w+)">\s*<th[^>]*>([^<]+)<\/th>/g)) out[m[2]] = m[1];
  return out;
}

const addresses = (n: number, prefix = 'person') => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

async function pendingCount(tp: TestPortal, accountId: number): Promise<number> {
  return count(tp, TABLES.invites, (q) => q.where('account_id', accountId).whereNotNull('pending_email'));
}

describe('invitations: several addresses at once', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('shows a result per address: sent, member, already invited (with Resend), invalid, own address', async () => {
    const { account, owner, ownerEmail } = await ownerSetup(tp);
    const member = await tp.f.user({ email: 'member@example.com' });
    await tp.f.member(account.id, member.id, ['tickets']);
    assert.equal((await invite(owner, 'waiting@example.com')).status, 303);
    const waiting = await foundRow(tp, TABLES.invites, { email: 'waiting@example.com' });
    const before = await traces(tp);

    const res = await inviteMany(
      owner,
      `new.one@example.com, Member@Example.com\nwaiting@example.com; not-an-address\n` +
        `New.Two@example.com NEW.ONE@example.com, ${ownerEmail.toUpperCase()}`,
      ['invoices', 'tickets'],
    );
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual(resultsOf(res.text), {
      'new.one@example.com': 'sent',
      'member@example.com': 'hasAccess',
      'waiting@example.com': 'pending',
      'not-an-address': 'invalid',
      'new.two@example.com': 'sent',
      [ownerEmail.toLowerCase()]: 'ownAddress',
    });
    assert.match(res.text, /Invitation results/);
    assert.match(res.text, /Invited: 2 of 6 addresses, with access to: Invoices, Support tickets\./);
    assert.match(res.text, /Already has access to this account; not invited/);
    assert.match(res.text, /Already has a pending invitation; you can send it again/);
    assert.match(res.text, /Not a valid e-mail address; not invited/);
    assert.match(res.text, /Your own address/);
    assert.match(res.text, /\(listed 2 times\)/, 'the address listed twice is invited once');
    assert.match(res.text, new RegExp(`action="/account/invites/${waiting.id}/resend"`));
    assert.equal(res.headers['cache-control'], 'no-store');

    // Two invitations, each with its log entry and e-mail; nothing for the others.
    const after = await traces(tp);
    assert.equal(after.invites - before.invites, 2);
    assert.equal(after.mails - before.mails, 2);
    for (const email of ['new.one@example.com', 'new.two@example.com']) {
      const row = await foundRow(tp, TABLES.invites, { pending_email: email });
      assert.deepEqual(JSON.parse(row.permissions), ['invoices', 'tickets']);
      assert.equal(await count(tp, 'outbox', { to_address: email }), 1);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_sent', target_email: email }), 1);
    }
    assert.equal(await count(tp, TABLES.log, { action: 'invite_sent' }), 3);
    assert.equal(await count(tp, TABLES.invites, { email: 'waiting@example.com' }), 1, 'no second invitation');

    // The Resend button of the pending address sends that invitation again.
    tp.clock.advance(61_000);
    assert.equal((await owner.post(`/account/invites/${waiting.id}/resend`)).status, 303);
    assert.equal(await count(tp, 'outbox', { to_address: 'waiting@example.com' }), 2);
  });

  it('takes commas, semicolons, spaces and line breaks as separators', async () => {
    const { account, owner } = await ownerSetup(tp);
    const res = await inviteMany(
      owner,
      ' a@example.com b@example.com,c@example.com\nd@example.com;e@example.com\r\n,, ',
    );
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual(
      Object.values(resultsOf(res.text)),
      ['sent', 'sent', 'sent', 'sent', 'sent'],
      JSON.stringify(resultsOf(res.text)),
    );
    assert.equal(await pendingCount(tp, account.id), 5);
    assert.equal(await count(tp, 'outbox'), 5);
  });

  it('splits at spaces only where a part holds several addresses', async () => {
    const { owner } = await ownerSetup(tp);
    const res = await inviteMany(owner, 'Alice Archer x@example.com, y@example.com junk z@example.com');
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual(resultsOf(res.text), {
      'alice archer x@example.com': 'invalid',
      'y@example.com': 'sent',
      junk: 'invalid',
      'z@example.com': 'sent',
    });
  });

  it('one address, even listed twice, is the single invitation as before', async () => {
    const { owner } = await ownerSetup(tp);
    const res = await inviteMany(owner, 'solo@example.com, Solo@example.com');
    assert.equal(res.status, 303);
    assert.match((await owner.get('/account/users')).text, /Invitation sent to solo@example.com/);
    assert.equal(await count(tp, TABLES.invites, { email: 'solo@example.com' }), 1);
  });

  it('refuses more than 20 addresses with the form and the text kept; nothing is sent', async () => {
    const { owner } = await ownerSetup(tp);
    const before = await traces(tp);
    const text = addresses(21).join(', ');
    const res = await inviteMany(owner, text);
    assert.equal(res.status, 422);
    assert.match(res.text, /The list has 21 addresses; you can invite at most 20 at once\. No invitation was sent\./);
    assert.match(res.text, /Enter at most 20 addresses\./);
    assert.ok(res.text.includes(`value="${text}"`), 'the text stays in the field');
    assert.match(res.text, /aria-describedby="invite-email-help invite-email-error"/);
    assert.deepEqual(await traces(tp), before);

    // Twenty addresses, some listed twice, are allowed.
    const twenty = [...addresses(20), ...addresses(5)].join('\n');
    assert.equal((await inviteMany(owner, twenty)).status, 200);
    assert.equal((await traces(tp)).invites - before.invites, 20);
  });

  it('refuses a bad access choice for the whole list: nothing is sent and the form is shown again', async () => {
    const { owner } = await ownerSetup(tp);
    const before = await traces(tp);
    const res = await owner.post('/account/users/invite', { email: 'x@example.com y@example.com', access: 'choose' });
    assert.equal(res.status, 422);
    assert.match(res.text, /Please choose at least one permission/);
    assert.match(res.text, /value="x@example.com y@example.com"/);
    assert.deepEqual(await traces(tp), before);
  });

  it('sends nothing when the list does not fit the user limit, and says how many fit', async () => {
    const { account, owner } = await ownerSetup(tp);
    await tp.setSettings({ maxUsersPerAccount: 5 });
    const member = await tp.f.user({ email: 'member@example.com' });
    await tp.f.member(account.id, member.id, 'all');
    assert.equal((await invite(owner, 'waiting@example.com')).status, 303);
    const before = await traces(tp);
    // Owner, member and one pending invitation: room for 2; the list has 3 new addresses (and two that count not).
    const res = await inviteMany(owner, 'one@example.com two@example.com three@example.com member@example.com');
    assert.equal(res.status, 422);
    assert.match(
      res.text,
      new RegExp(
        'This account may have 5 users, pending invitations included: 2 more fit, ' +
          'but the list has 3 new addresses\\. No invitation was sent\\.',
      ),
    );
    assert.match(res.text, /value="one@example.com two@example.com three@example.com member@example.com"/);
    assert.deepEqual(await traces(tp), before);

    const fits = await inviteMany(owner, 'one@example.com two@example.com waiting@example.com');
    assert.equal(fits.status, 200);
    assert.equal(await pendingCount(tp, account.id), 3);
  });

  it('sends nothing when the list does not fit the hourly limit, and says how many fit', async () => {
    const { owner } = await ownerSetup(tp);
    await tp.setSettings({ invitesPerHour: 4 });
    assert.equal((await invite(owner, 'first@example.com')).status, 303);
    assert.equal((await invite(owner, 'second@example.com')).status, 303);
    const before = await traces(tp);
    const res = await inviteMany(owner, addresses(3).join(','));
    assert.equal(res.status, 429);
    assert.match(
      res.text,
      new RegExp(
        'This account may send 4 invitations an hour: 2 more can be sent now, ' +
          'but the list has 3 new addresses\\. No invitation was sent\\.',
      ),
    );
    assert.deepEqual(await traces(tp), before);
    assert.equal((await inviteMany(owner, addresses(2).join(','))).status, 200);
    assert.equal(await count(tp, TABLES.log, { action: 'invite_sent' }), 4);
  });

  describe('20 lists posted at once', function () {
    this.timeout(120_000);

    it('never exceed the user limit: whole lists are sent or refused', async () => {
      const { account, owner } = await ownerSetup(tp);
      await tp.setSettings({ maxUsersPerAccount: 12, invitesPerHour: 1000 });
      await owner.tokenFor('/account/users/invite');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => inviteMany(owner, addresses(3, `p${i}-`).join(' '))),
      );
      const statuses = results.map((r) => r.status);
      // The owner takes one place: three lists of three fit in the other eleven.
      assert.equal(statuses.filter((s) => s === 200).length, 3, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 422).length, 17, statuses.join(','));
      assert.equal(await pendingCount(tp, account.id), 9);
      assert.equal(await count(tp, 'outbox'), 9);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_sent' }), 9);
    });

    it('never exceed the hourly limit', async () => {
      const { account, owner } = await ownerSetup(tp);
      await tp.setSettings({ maxUsersPerAccount: 0, invitesPerHour: 10 });
      await owner.tokenFor('/account/users/invite');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => inviteMany(owner, addresses(3, `r${i}-`).join(','))),
      );
      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 3, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 429).length, 17, statuses.join(','));
      assert.equal(await pendingCount(tp, account.id), 9);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_sent' }), 9);
    });

    it('make one pending invitation per address when the lists overlap', async () => {
      const { account, owner } = await ownerSetup(tp);
      await tp.setSettings({ maxUsersPerAccount: 0, invitesPerHour: 1000 });
      await owner.tokenFor('/account/users/invite');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          inviteMany(owner, ['shared@example.com', `own${i}@example.com`, 'Other@Example.com'].join('\n')),
        ),
      );
      assert.ok(
        results.every((r) => r.status === 200),
        results.map((r) => r.status).join(','),
      );
      const shared = results.map((r) => resultsOf(r.text)['shared@example.com']);
      assert.equal(shared.filter((s) => s === 'sent').length, 1, shared.join(','));
      assert.equal(shared.filter((s) => s === 'pending').length, 19, shared.join(','));
      const pending = await allRows(tp, TABLES.invites, (q) =>
        q.where('account_id', account.id).whereNotNull('pending_email'),
      );
      assert.equal(pending.length, 22);
      assert.equal(new Set(pending.map((r) => r.pending_email)).size, 22, 'one pending invitation per address');
      assert.equal(await count(tp, 'outbox', { to_address: 'shared@example.com' }), 1);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_sent', target_email: 'other@example.com' }), 1);
    });
  });
});
