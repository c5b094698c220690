import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { Factories } from '../helpers/factories';
import { allRows, count, firstRow, foundRow } from '../helpers/db';
import { fromJson, type OwnershipOfferRow } from '../helpers/rows';
import { TABLES } from '../../module/tables';
import { demoLike, loginTo, type DemoLike } from '../users/setup';
import { BASE, owners, textOf } from '../admin/helpers';
import { WRONG_PASSWORD_LIMIT, WRONG_PASSWORD_WINDOW_MS } from '../../module/ownership/service';

const DAY = 24 * 3600_000;

/** The account's open offer, if any. */
function openOffer(tp: TestPortal, accountId: number): Promise<OwnershipOfferRow | undefined> {
  return firstRow(tp, TABLES.ownershipOffers, { open_account_id: accountId });
}

/** Subjects of the e-mails one address received, oldest first. */
async function subjectsTo(tp: TestPortal, email: string): Promise<string[]> {
  return (await allRows(tp, 'outbox', (q) => q.where('to_address', email).orderBy('id'))).map((m) => m.subject);
}

async function actions(tp: TestPortal, accountId: number, like = '%owner%'): Promise<string[]> {
  const rows = await allRows(tp, TABLES.log, (q) => q.where('account_id', accountId).andWhere('action', 'like', like));
  return rows.map((r) => r.action);
}

describe('hand over ownership (client area)', function () {
  this.timeout(60_000);
  let tp: TestPortal;
  let w: DemoLike;
  let alice: Client;
  let dev: Client;

  beforeEach(async () => {
    tp = await setupPortal();
    w = await demoLike(tp);
    alice = await loginTo(tp, w.alice.email, w.acme.id);
    dev = await loginTo(tp, w.dev.email, w.acme.id);
  });
  afterEach(() => tp.close());

  const offer = (client: Client, userId: number, password = Factories.PASSWORD) =>
    client.post('/account/ownership', { userId: String(userId), password });
  /** Alice offers Acme to dev with her password; returns the offer's id. */
  async function aliceOffersToDev(): Promise<number> {
    const res = await offer(alice, w.dev.id);
    assert.equal(res.status, 303, res.text.slice(0, 300));
    return Number((await foundRow(tp, TABLES.ownershipOffers, { open_account_id: w.acme.id })).id);
  }

  it('the owner chooses a member on User Management and confirms with their password; the member is told', async () => {
    const users = await alice.get('/account/users');
    assert.match(users.text, new RegExp(`href="/account/ownership\\?userId=${w.dev.id}"`));
    const page = textOf((await alice.get(`/account/ownership?userId=${w.dev.id}`)).text);
    assert.match(page, /Offer ownership of Acme Web Studio to Dana Developer \(dev@example\.test\)\?/);
    assert.match(page, /has 7 days to accept or decline/);

    const res = await offer(alice, w.dev.id);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/account/users');
    const row = await foundRow(tp, TABLES.ownershipOffers, { open_account_id: w.acme.id });
    assert.equal(Number(row.to_user_id), w.dev.id);
    assert.equal(Number(row.expires_at) - Number(row.created_at), 7 * DAY, 'the invitation lifetime');
    const after = textOf((await alice.get('/account/users')).text);
    assert.match(after, /Ownership of Acme Web Studio offered to Dana Developer\. Nothing changes until they accept\./);
    assert.match(after, /You offered ownership of this account to Dana Developer; the offer is open until/);
    assert.deepEqual(await owners(tp, w.acme.id), [w.alice.id], 'nothing moves before the answer');

    assert.deepEqual(await subjectsTo(tp, w.dev.email), ['Alice Archer offers you ownership of Acme Web Studio']);
    assert.deepEqual(await subjectsTo(tp, w.alice.email), [
      'You offered ownership of Acme Web Studio to Dana Developer',
    ]);
    const mail = await foundRow(tp, 'outbox', { to_address: w.dev.email });
    assert.match(mail.text, /https:\/\/portal\.example\.test\/account\/ownership\/offers/);

    // The member sees it in the account menu with a count, and on the offers page with Accept and Decline.
    const home = await dev.get('/');
    assert.match(home.text, /href="\/account\/ownership\/offers"/);
    const offers = textOf((await dev.get('/account/ownership/offers')).text);
    assert.match(offers, /Alice Archer offers to make you the owner of Acme Web Studio\./);
    assert.match(offers, /Accept and become owner Acme Web Studio/);
    assert.deepEqual(await actions(tp, w.acme.id), ['ownership_offered']);
  });

  it('a wrong password changes nothing (422); after five within 15 minutes the form is refused (429)', async () => {
    for (let i = 1; i <= WRONG_PASSWORD_LIMIT; i += 1) {
      const res = await offer(alice, w.dev.id, 'not-my-password');
      assert.equal(res.status, 422);
      assert.match(textOf(res.text), /That is not your password\. Nothing was changed\./);
      assert.match(res.text, /name="password"[^>]*aria-invalid="true"/);
    }
    const limited = await offer(alice, w.dev.id);
    assert.equal(limited.status, 429, 'even the right password waits');
    assert.match(textOf(limited.text), /Too many wrong passwords\. For your account's safety, please try again in 15/);
    assert.equal(await count(tp, TABLES.ownershipOffers), 0);
    assert.equal(await count(tp, 'outbox'), 0);
    assert.equal(await count(tp, TABLES.log, { action: 'handover_password_wrong' }), WRONG_PASSWORD_LIMIT);
    assert.equal(await count(tp, TABLES.log, { action: 'ownership_offered' }), 0);

    tp.clock.advance(WRONG_PASSWORD_WINDOW_MS);
    assert.equal((await offer(alice, w.dev.id)).status, 303, 'the window has passed');
    assert.equal(await count(tp, TABLES.ownershipOffers, { open_account_id: w.acme.id }), 1);
  });

  it('accepted: the member owns the account, the previous owner keeps all, the portal follows', async () => {
    const id = await aliceOffersToDev();
    const res = await dev.post(`/account/ownership/${id}/accept`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/account/users');
    const users = textOf((await dev.get('/account/users')).text);
    assert.match(users, /You are now the owner of Acme Web Studio\./);

    assert.deepEqual(await owners(tp, w.acme.id), [w.dev.id]);
    const previous = await foundRow(tp, TABLES.members, { account_id: w.acme.id, user_id: w.alice.id });
    assert.equal(previous.is_owner, null);
    assert.equal(Boolean(previous.all_permissions), true);
    assert.equal(Number((await foundRow(tp, 'accounts', { id: w.acme.id })).primary_user_id), w.dev.id);
    const row = await foundRow(tp, TABLES.ownershipOffers, { id });
    assert.equal(row.outcome, 'accepted');
    assert.equal(row.open_account_id, null);

    assert.deepEqual(await actions(tp, w.acme.id), ['ownership_offered', 'owner_changed']);
    const changed = await foundRow(tp, TABLES.log, { account_id: w.acme.id, action: 'owner_changed' });
    assert.deepEqual(fromJson(changed.details), {
      previousOwnerId: w.alice.id,
      previousOwnerAccess: 'all',
      offerId: id,
    });
    assert.equal(Number(changed.actor_id), w.dev.id);
    assert.equal((await subjectsTo(tp, w.dev.email)).at(-1), 'Dana Developer is now the owner of Acme Web Studio');
    assert.equal((await subjectsTo(tp, w.alice.email)).at(-1), 'Dana Developer is now the owner of Acme Web Studio');

    assert.equal((await alice.get('/account/users')).status, 403, 'alice no longer manages users');
    const log = textOf((await dev.get('/account/activity')).text);
    assert.match(log, /Accepted the hand-over from Alice Archer, who keeps All permissions/);
  });

  it('declined: the owner stays; both are told', async () => {
    const id = await aliceOffersToDev();
    const res = await dev.post(`/account/ownership/${id}/decline`);
    assert.equal(res.status, 303);
    assert.deepEqual(await owners(tp, w.acme.id), [w.alice.id]);
    assert.equal((await foundRow(tp, TABLES.ownershipOffers, { id })).outcome, 'declined');
    assert.deepEqual(await actions(tp, w.acme.id), ['ownership_offered', 'ownership_offer_declined']);
    assert.equal((await subjectsTo(tp, w.dev.email)).at(-1), 'Hand-over of Acme Web Studio declined');
    assert.equal((await subjectsTo(tp, w.alice.email)).at(-1), 'Hand-over of Acme Web Studio declined');
    assert.equal((await dev.post(`/account/ownership/${id}/accept`)).status, 409, 'a declined offer stays ended');
    assert.match(textOf((await dev.get('/account/ownership/offers')).text), /No offers are waiting for your answer\./);
  });

  it('withdrawn by the owner: the member can no longer accept; both are told', async () => {
    const id = await aliceOffersToDev();
    assert.equal((await alice.post('/account/ownership/withdraw')).status, 303);
    assert.equal((await foundRow(tp, TABLES.ownershipOffers, { id })).outcome, 'withdrawn');
    const late = await dev.post(`/account/ownership/${id}/accept`);
    assert.equal(late.status, 409);
    assert.match(textOf(late.text), /The owner withdrew this offer of ownership\./);
    assert.deepEqual(await owners(tp, w.acme.id), [w.alice.id]);
    assert.deepEqual(await actions(tp, w.acme.id), ['ownership_offered', 'ownership_offer_withdrawn']);
    assert.equal((await subjectsTo(tp, w.dev.email)).at(-1), 'Hand-over of Acme Web Studio withdrawn');
    assert.equal((await subjectsTo(tp, w.alice.email)).at(-1), 'Hand-over of Acme Web Studio withdrawn');
    assert.equal((await alice.post('/account/ownership/withdraw')).status, 409, 'nothing left to withdraw');
  });

  it('expires after the invitation lifetime: accepting is refused, and the owner may offer again', async () => {
    await tp.setSettings({ inviteLifetimeDays: 2 });
    const id = await aliceOffersToDev();
    tp.clock.advance(2 * DAY + 1000);
    assert.doesNotMatch((await dev.get('/')).text, /href="\/account\/ownership\/offers"/, 'no badge once expired');
    const late = await dev.post(`/account/ownership/${id}/accept`);
    assert.equal(late.status, 409);
    assert.match(textOf(late.text), /This offer of ownership has expired\. Nothing changed\./);
    assert.deepEqual(await owners(tp, w.acme.id), [w.alice.id]);
    const ended = await foundRow(tp, TABLES.log, { account_id: w.acme.id, action: 'ownership_offer_ended' });
    assert.deepEqual(fromJson(ended.details), { offerId: id, reason: 'expired' });
    assert.equal((await subjectsTo(tp, w.alice.email)).at(-1), 'Hand-over of Acme Web Studio ended');
    assert.equal((await offer(alice, w.dev.id)).status, 303, 'a new offer');
  });

  it('one open offer per account: a second is refused (409), also when many are posted at once', async () => {
    const carol = await tp.f.user({ email: 'carol@example.test', firstName: 'Carol', lastName: 'Clerk' });
    await tp.f.member(w.acme.id, carol.id, 'all');
    await aliceOffersToDev();
    const second = await offer(alice, carol.id);
    assert.equal(second.status, 409);
    assert.match(textOf(second.text), /There is already an open offer of ownership for this account\./);
    assert.equal(await count(tp, TABLES.ownershipOffers), 1);

    await alice.post('/account/ownership/withdraw');
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => offer(alice, i % 2 ? carol.id : w.dev.id)));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(','));
    assert.ok(
      statuses.every((s) => s === 303 || s === 409),
      statuses.join(','),
    );
    assert.equal(await count(tp, TABLES.ownershipOffers, { open_account_id: w.acme.id }), 1);
    // The database itself refuses a second open offer, whatever the code does.
    await assert.rejects(
      tp.knex(TABLES.ownershipOffers).insert({
        account_id: w.acme.id,
        open_account_id: w.acme.id,
        from_user_id: w.alice.id,
        to_user_id: carol.id,
        created_at: 1,
        expires_at: 2,
      }),
    );
  });

  it("a staff Make Owner or the member's removal ends the offer; both are told", async () => {
    const carol = await tp.f.user({ email: 'carol@example.test', firstName: 'Carol', lastName: 'Clerk' });
    await tp.f.member(w.acme.id, carol.id, 'all');
    const first = await aliceOffersToDev();
    const staff = await tp.staffLogin();
    const confirm = await staff.get(`${BASE}/accounts/${w.acme.id}`);
    assert.match(textOf(confirm.text), /Open ownership offer Alice Archer offered ownership to Dana Developer on/);
    staff.csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1];
    assert.equal(
      (await staff.post(`${BASE}/accounts/${w.acme.id}/users/${carol.id}/owner`, { access: 'all' })).status,
      303,
    );
    assert.equal((await foundRow(tp, TABLES.ownershipOffers, { id: first })).outcome, 'ownerChanged');
    const late = await dev.post(`/account/ownership/${first}/accept`);
    assert.equal(late.status, 409);
    assert.deepEqual(await owners(tp, w.acme.id), [carol.id]);
    assert.equal((await subjectsTo(tp, w.dev.email)).at(-1), 'Hand-over of Acme Web Studio ended');

    // Carol offers it to dev, then removes dev: the offer ends with dev's access.
    const owner = await loginTo(tp, carol.email, w.acme.id);
    assert.equal((await offer(owner, w.dev.id)).status, 303);
    const second = Number((await foundRow(tp, TABLES.ownershipOffers, { open_account_id: w.acme.id })).id);
    assert.equal((await owner.post(`/account/users/${w.dev.id}/remove`)).status, 303);
    assert.equal((await foundRow(tp, TABLES.ownershipOffers, { id: second })).outcome, 'removed');
    assert.equal(await openOffer(tp, w.acme.id), undefined);
    assert.equal((await dev.post(`/account/ownership/${second}/accept`)).status, 409);
    assert.deepEqual(await owners(tp, w.acme.id), [carol.id]);
    const reasons = (await allRows(tp, TABLES.log, { action: 'ownership_offer_ended' })).map(
      (r) => (fromJson(r.details) as { reason: string }).reason,
    );
    assert.deepEqual(reasons, ['ownerChanged', 'removed']);
    assert.equal((await subjectsTo(tp, carol.email)).at(-1), 'Hand-over of Acme Web Studio ended');
  });

  it('a closed account: the offer shows as ended and cannot be accepted', async () => {
    const id = await aliceOffersToDev();
    await tp.knex('accounts').where({ id: w.acme.id }).update({ status: 'closed' });
    const page = textOf((await dev.get('/account/ownership/offers')).text);
    assert.match(page, /Ended The account is closed, so this offer of ownership has ended\./);
    assert.doesNotMatch(page, /Accept and become owner/);
    assert.equal((await dev.post(`/account/ownership/${id}/accept`)).status, 409);
    assert.equal((await foundRow(tp, TABLES.ownershipOffers, { id })).outcome, 'closed');
    assert.deepEqual(await owners(tp, w.acme.id), [w.alice.id]);
  });

  it("other people's offers and other accounts' users answer 404; the owner cannot choose themselves", async () => {
    const id = await aliceOffersToDev();
    const bob = await loginTo(tp, w.bob.email, w.blueFish.id);
    for (const path of [`/account/ownership/${id}/accept`, `/account/ownership/${id}/decline`])
      assert.equal((await bob.post(path)).status, 404, path);
    assert.equal((await alice.post(`/account/ownership/${id}/accept`)).status, 404, "the owner's own offer");
    assert.equal((await dev.post('/account/ownership/999999/accept')).status, 404);
    assert.equal((await bob.get(`/account/ownership?userId=${w.alice.id}`)).status, 404, 'not a user of Blue Fish');
    assert.equal((await offer(bob, w.alice.id)).status, 404);
    const self = await offer(bob, w.bob.id);
    assert.equal(self.status, 422);
    assert.match(textOf(self.text), /You already own this account: choose another user\./);
    assert.equal((await dev.get('/account/ownership')).status, 403, 'a member is not the owner');
    assert.equal(await count(tp, TABLES.ownershipOffers), 1);
    assert.deepEqual(await owners(tp, w.acme.id), [w.alice.id]);
  });

  it('two accepts at once: one owner, one move logged', async () => {
    const id = await aliceOffersToDev();
    const tab = await loginTo(tp, w.dev.email, w.acme.id);
    const results = await Promise.all([
      dev.post(`/account/ownership/${id}/accept`),
      tab.post(`/account/ownership/${id}/accept`),
      dev.post(`/account/ownership/${id}/accept`),
    ]);
    assert.ok(
      results.every((r) => r.status === 303),
      results.map((r) => r.status).join(','),
    );
    assert.deepEqual(await owners(tp, w.acme.id), [w.dev.id]);
    assert.equal(await count(tp, TABLES.log, { action: 'owner_changed' }), 1);
    assert.equal((await subjectsTo(tp, w.alice.email)).filter((s) => /is now the owner/.test(s)).length, 1);
  });

  it('accept racing a withdrawal: either accepted or withdrawn, never both or neither', async () => {
    const seen = new Set<string>();
    let owner = { client: alice, id: w.alice.id };
    let member = { client: dev, id: w.dev.id };
    for (let round = 0; round < 4; round += 1) {
      assert.equal((await offer(owner.client, member.id)).status, 303, `round ${round}`);
      const id = Number((await foundRow(tp, TABLES.ownershipOffers, { open_account_id: w.acme.id })).id);
      const [accepted, withdrawn] = await Promise.all([
        member.client.post(`/account/ownership/${id}/accept`),
        owner.client.post('/account/ownership/withdraw'),
      ]);
      const row = await foundRow(tp, TABLES.ownershipOffers, { id });
      seen.add(String(row.outcome));
      if (row.outcome === 'accepted') {
        assert.equal(accepted.status, 303);
        assert.notEqual(withdrawn.status, 303);
        assert.deepEqual(await owners(tp, w.acme.id), [member.id]);
        [owner, member] = [member, owner];
      } else {
        assert.equal(row.outcome, 'withdrawn');
        assert.equal(withdrawn.status, 303);
        assert.equal(accepted.status, 409);
        assert.deepEqual(await owners(tp, w.acme.id), [owner.id]);
      }
      assert.equal(await openOffer(tp, w.acme.id), undefined);
    }
    const moves = await count(tp, TABLES.log, { action: 'owner_changed' });
    const withdrawals = await count(tp, TABLES.log, { action: 'ownership_offer_withdrawn' });
    assert.equal(moves + withdrawals, 4, `${[...seen].join(',')}`);
  });

  it('a host without a password check offers no hand-over', async () => {
    delete tp.portal.accountUsers.services.ctx.host.users.verifyPassword;
    assert.doesNotMatch((await alice.get('/account/users')).text, /\/account\/ownership/);
    assert.equal((await alice.get(`/account/ownership?userId=${w.dev.id}`)).status, 404);
    assert.equal((await offer(alice, w.dev.id)).status, 404);
    assert.equal(await count(tp, TABLES.ownershipOffers), 0);
  });
});
