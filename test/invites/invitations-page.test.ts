import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { count, firstRow, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { InvitesRepo } from '../../module/invites/repo';
import { demoLike, findMembership, logActions, type DemoLike } from '../users/setup';
import { DAY, mainText } from './helpers';

const PAGE = '/account/invitations';

/** The words of a page's main content, without markup. */
const textOf = (html: string) =>
  mainText(html)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

/** The account names the Invitations page lists, in order. */
function listed(html: string): string[] {
  return [...html.matchAll(/<span class="au-account-name">([^<]*)<\/span>/g)].map((m) => m[1]);
}

/** The badge of the account menu's Invitations item, or undefined when there is no such item. */
function menuCount(html: string): string | undefined {
  const item = /<a href="\/account\/invitations">[^<]*<span class="badge">(\d+)<\/span>/.exec(html);
  if (item) return item[1];
  return html.includes('href="/account/invitations"') ? '' : undefined;
}

describe('invitations: the invitee’s own Invitations page', () => {
  let tp: TestPortal;
  let d: DemoLike;
  /** Carol has a login but no account; Erin owns a third account. */
  let carol: { id: number; email: string };
  let erin: { id: number; email: string };
  let third: { id: number; ownerId: number; name: string };
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    carol = await tp.f.user({ email: 'carol@example.test', firstName: 'Carol', lastName: 'Clark' });
    erin = await tp.f.user({ email: 'erin@example.test', firstName: 'Erin', lastName: 'Evans' });
    third = await tp.f.account({ name: 'Cedar Consulting', ownerId: erin.id });
  });
  afterEach(() => tp.close());

  const invitation = (id: number) => foundRow(tp, TABLES.invites, { id });

  it('lists only the pending, valid invitations addressed to the person’s own address, in any account', async () => {
    const acme = await tp.f.invite(d.acme.id, { email: carol.email, permissions: ['invoices'] });
    const blue = await tp.f.invite(d.blueFish.id, { email: 'Carol@Example.test' });
    // Not listed: another address, expired, cancelled, accepted, declined, a closed account.
    await tp.f.invite(d.acme.id, { email: 'someone-else@example.test' });
    const now = tp.clock.now();
    await tp.f.invite(third.id, { email: carol.email, createdAt: now - 8 * DAY, expiresAt: now - 1 });
    const other = await tp.f.account({ name: 'Dune Design' });
    const cancelled = await tp.f.invite(other.id, { email: carol.email });
    await tp.knex(TABLES.invites).where({ id: cancelled.id }).update({ cancelled_at: now, pending_email: null });
    const another = await tp.f.account({ name: 'Elm Electric' });
    const accepted = await tp.f.invite(another.id, { email: carol.email });
    await tp
      .knex(TABLES.invites)
      .where({ id: accepted.id })
      .update({ accepted_at: now, accepted_by: carol.id, pending_email: null });
    const closed = await tp.f.account({ name: 'Fern Foods', status: 'closed' });
    await tp.f.invite(closed.id, { email: carol.email });

    const client = await tp.login(carol.email);
    const page = await client.get(PAGE);
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.deepEqual(listed(page.text), ['Blue Fish Bakery', 'Acme Web Studio']);
    const text = textOf(page.text);
    assert.match(text, /Invitations to customer accounts sent to carol@example\.test/);
    assert.match(text, /2 open invitations/);
    assert.match(text, /Invited by Alice Archer/);
    assert.match(text, /Access: Invoices/);
    assert.ok(page.text.includes(`action="${PAGE}/${acme.id}/accept"`));
    assert.ok(page.text.includes(`action="${PAGE}/${blue.id}/decline"`));

    // With no account at all, the page after sign-in says the invitations are waiting and links to them.
    const noAccount = await client.get(client.lastLoginRedirect);
    assert.match(textOf(noAccount.text), /You have 2 invitations to customer accounts\. View invitations/);
    assert.ok(noAccount.text.includes(`href="${PAGE}"`));

    // Someone else sees none of them; the setting that binds acceptance to the address changes nothing here.
    await tp.setSettings({ requireInvitedAddress: false });
    const dev = await tp.login(d.dev.email);
    const devPage = await dev.get(PAGE);
    assert.deepEqual(listed(devPage.text), []);
    assert.match(textOf(devPage.text), /You have no open invitations\./);
  });

  it('signed out, the page asks for a sign-in and comes back', async () => {
    const res = await tp.anonymous().get(PAGE);
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, `/login?returnTo=${encodeURIComponent(PAGE)}`);
  });

  it('the account menu shows the count; the chooser shows the invitations too', async () => {
    await tp.f.invite(third.id, { email: d.dev.email });
    const dev = await tp.login(d.dev.email);
    // Two accounts: the chooser after sign-in.
    const chooser = await dev.get('/account/switch');
    assert.match(textOf(chooser.text), /You have 1 invitation to a customer account\. View invitations/);
    await dev.post('/account/switch', { accountId: String(d.acme.id) });
    assert.equal(menuCount((await dev.get('/')).text), '1');
    const second = await tp.f.account({ name: 'Grove Games' });
    await tp.f.invite(second.id, { email: d.dev.email });
    assert.equal(menuCount((await dev.get('/')).text), '2');

    // Declining one counts down; declining the last takes the item away.
    const ids = (await tp.knex(TABLES.invites).where({ pending_email: d.dev.email }).select('id')).map((r) =>
      Number((r as { id: number }).id),
    );
    for (const [i, id] of ids.entries()) {
      assert.equal((await dev.post(`${PAGE}/${id}/decline`)).status, 303);
      assert.equal(menuCount((await dev.get('/')).text), i === 0 ? '1' : undefined);
    }
    assert.doesNotMatch(textOf((await dev.get('/account/switch')).text), /View invitations/);
  });

  it('Accept joins the account with the invited access, as the e-mail link would', async () => {
    const inv = await tp.f.invite(d.acme.id, { email: carol.email, permissions: ['invoices', 'tickets'] });
    const client = await tp.login(carol.email);
    await client.get(PAGE);
    const res = await client.post(`${PAGE}/${inv.id}/accept`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    const home = await client.get('/');
    assert.match(home.text, /Welcome! You now have access to Acme Web Studio\./);
    const member = await findMembership(tp, d.acme.id, carol.id);
    assert.ok(member, 'carol joined');
    assert.deepEqual(JSON.parse(String(member.permissions)), ['invoices', 'tickets']);
    const row = await invitation(inv.id);
    assert.equal(Number(row.accepted_by), carol.id);
    assert.equal(row.pending_email, null);
    assert.deepEqual((await logActions(tp, d.acme.id)).slice(-1), ['invite_accepted']);
    assert.equal(await count(tp, 'outbox', { to_address: d.alice.email }), 1, 'the owner is told, as by the link');
    // The link of the e-mail is used up as well.
    assert.equal((await tp.anonymous().get(inv.path)).status, 404);
    // A second click (another tab) goes to the account again, nothing more.
    assert.equal((await client.post(`${PAGE}/${inv.id}/accept`)).status, 303);
    assert.equal(await count(tp, TABLES.members, { account_id: d.acme.id, user_id: carol.id }), 1);
  });

  it('Accept into a full account is refused with a word why; the invitation stays', async () => {
    const inv = await tp.f.invite(d.blueFish.id, { email: carol.email });
    await tp.setSettings({ maxUsersPerAccount: 2 });
    const client = await tp.login(carol.email);
    const res = await client.post(`${PAGE}/${inv.id}/accept`);
    assert.equal(res.status, 409);
    assert.match(textOf(res.text), /Blue Fish Bakery already has 2 users/);
    assert.deepEqual(listed(res.text), ['Blue Fish Bakery']);
    assert.equal((await invitation(inv.id)).pending_email, carol.email);
  });

  it('Decline ends the invitation: logged, its link dead, the owner told and shown “declined” for a week', async () => {
    const inv = await tp.f.invite(d.acme.id, { email: carol.email });
    const events: Array<Record<string, unknown>> = [];
    tp.portal.hooks.on('AccountUserInviteDeclined', (p: Record<string, unknown>) => {
      events.push(p);
    });
    const client = await tp.login(carol.email);
    const res = await client.post(`${PAGE}/${inv.id}/decline`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, PAGE);
    const after = await client.get(PAGE);
    assert.match(textOf(after.text), /You declined the invitation to Acme Web Studio\./);
    assert.deepEqual(listed(after.text), []);

    const row = await invitation(inv.id);
    assert.equal(row.pending_email, null);
    assert.ok(row.declined_at, 'declined');
    assert.equal(row.accepted_at, null);
    assert.equal(await findMembership(tp, d.acme.id, carol.id), undefined);
    const log = await firstRow(tp, TABLES.log, { account_id: d.acme.id, action: 'invite_declined' });
    assert.ok(log, 'logged');
    assert.equal(Number(log.actor_id), carol.id);
    assert.equal(log.target_email, carol.email);
    assert.equal(events.length, 1);
    assert.equal(events[0].inviteId, inv.id);

    const mail = await foundRow(tp, 'outbox', { to_address: d.alice.email });
    assert.match(mail.subject, /Carol Clark declined your invitation to Acme Web Studio/);
    assert.match(mail.text, /Carol Clark \(carol@example\.test\) declined the invitation to Acme Web Studio/);
    assert.match(mail.text, /https:\/\/portal\.example\.test\/account\/users/);

    // The e-mail's link no longer works, signed in or not.
    assert.equal((await tp.anonymous().get(inv.path)).status, 404);
    assert.equal((await client.post(`${inv.path}/accept`)).status, 404);
    assert.equal(await findMembership(tp, d.acme.id, carol.id), undefined);
    // Nor does declining or accepting it again from the page.
    assert.equal((await client.post(`${PAGE}/${inv.id}/decline`)).status, 404);
    assert.equal((await client.post(`${PAGE}/${inv.id}/accept`)).status, 404);
    assert.equal(await count(tp, TABLES.log, { action: 'invite_declined' }), 1);

    // The owner's User Management shows it as declined for a week, then no more.
    const owner = await tp.login(d.alice.email);
    const users = textOf((await owner.get('/account/users')).text);
    assert.match(users, /Declined invitations/);
    assert.match(users, /carol@example\.test .*Declined/);
    tp.clock.advance(7 * DAY - 60_000);
    assert.match(textOf((await owner.get('/account/users')).text), /carol@example\.test/);
    tp.clock.advance(60_000);
    const later = textOf((await owner.get('/account/users')).text);
    assert.doesNotMatch(later, /carol@example\.test/);
    assert.doesNotMatch(later, /Declined invitations/);
    // The owner may invite the address again.
    assert.equal((await owner.post('/account/users/invite', { email: carol.email, access: 'all' })).status, 303);
  });

  it('with notifyOwnerOnDecline off, declining sends no e-mail', async () => {
    await tp.setSettings({ notifyOwnerOnDecline: false });
    const inv = await tp.f.invite(d.acme.id, { email: carol.email });
    const client = await tp.login(carol.email);
    assert.equal((await client.post(`${PAGE}/${inv.id}/decline`)).status, 303);
    assert.ok((await invitation(inv.id)).declined_at);
    assert.equal(await count(tp, 'outbox'), 0);
  });

  it('another’s invitation, an expired one or an unknown id: 404 on accept and decline, nothing changed', async () => {
    const theirs = await tp.f.invite(d.acme.id, { email: 'someone-else@example.test' });
    // One of her own, so her page carries forms (and their token).
    const own = await tp.f.invite(d.blueFish.id, { email: carol.email });
    const now = tp.clock.now();
    const expired = await tp.f.invite(third.id, { email: carol.email, createdAt: now - 8 * DAY, expiresAt: now - 1 });
    // Even with acceptance not bound to the invited address, the page acts on the person's own only.
    await tp.setSettings({ requireInvitedAddress: false });
    const client = await tp.login(carol.email);
    await client.get(PAGE);
    for (const id of [theirs.id, expired.id, 999999, 'abc']) {
      for (const action of ['accept', 'decline']) {
        const res = await client.post(`${PAGE}/${id}/${action}`);
        assert.equal(res.status, 404, `${action} ${id}`);
        assert.match(textOf(res.text), /That invitation is no longer open/);
      }
    }
    assert.equal((await invitation(theirs.id)).pending_email, 'someone-else@example.test');
    assert.equal((await invitation(theirs.id)).declined_at, null);
    assert.equal(await findMembership(tp, d.acme.id, carol.id), undefined);
    assert.equal(await count(tp, TABLES.log, { action: 'invite_declined' }), 0);
    assert.equal(await count(tp, 'outbox'), 0);
    assert.equal((await invitation(own.id)).pending_email, carol.email);
  });

  it('accept and decline of one invitation at once: exactly one of them happens', async () => {
    const clients: Client[] = [await tp.login(carol.email), await tp.login(carol.email)];
    for (const c of clients) await c.get(PAGE);
    for (const account of [d.acme, d.blueFish, third]) {
      const inv = await tp.f.invite(account.id, { email: carol.email });
      const [accept, decline] = await Promise.all([
        clients[0].post(`${PAGE}/${inv.id}/accept`),
        clients[1].post(`${PAGE}/${inv.id}/decline`),
      ]);
      const row = await invitation(inv.id);
      const joined = Boolean(await findMembership(tp, account.id, carol.id));
      assert.notEqual(joined, Boolean(row.declined_at), `${account.name}: joined xor declined`);
      assert.equal(joined, Boolean(row.accepted_at));
      assert.deepEqual(
        [accept.status, decline.status].sort(),
        [303, 404].sort(),
        `${account.name}: ${accept.status}/${decline.status}`,
      );
      assert.equal(
        await count(tp, TABLES.log, { account_id: account.id, action: joined ? 'invite_declined' : 'invite_accepted' }),
        0,
      );
    }
  });

  it('the statements themselves: a decline after a claim, or a claim after a decline, changes nothing', async () => {
    const repo = new InvitesRepo(tp.knex);
    const now = tp.clock.now();
    const first = await tp.f.invite(d.acme.id, { email: carol.email });
    assert.equal(await repo.claim(tp.knex, first.id, null, carol.id, now), true);
    assert.equal(await repo.decline(tp.knex, first.id, carol.id, now), false, 'declining an accepted one');
    assert.equal((await invitation(first.id)).declined_at, null);
    const second = await tp.f.invite(d.blueFish.id, { email: carol.email });
    assert.equal(await repo.decline(tp.knex, second.id, carol.id, now), true);
    assert.equal(await repo.decline(tp.knex, second.id, carol.id, now), false, 'declining twice');
    assert.equal(await repo.claim(tp.knex, second.id, null, carol.id, now), false, 'accepting a declined one');
    assert.equal(await repo.claim(tp.knex, second.id, second.hash, carol.id, now), false, 'by its link');
    assert.equal((await invitation(second.id)).accepted_at, null);
  });
});
