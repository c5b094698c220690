import assert from 'node:assert/strict';
import type { Client } from '../helpers/portal';
import { buildWorld, inviteByHttp, login, loginTo, type World } from './fixture';
import { unchangedBy } from './snapshot';
import { TABLES } from '../../module/tables';
import { firstRow, foundRow } from '../helpers/db';

const DAY = 24 * 3600_000;

/** One-time invitation tokens: tampering, reuse, expiry, cancellation, resend and the wrong address. */
describe('security: invitation tokens', () => {
  let w: World;
  let owner: Client;
  let seq = 0;
  let validPage = '';
  const fresh = (prefix = 'invitee') => `${prefix}${++seq}@victim.test`;
  before(async () => {
    w = await buildWorld();
    await w.tp.setSettings({ invitesPerHour: 1000 });
    owner = await loginTo(w.tp, w.alice.email, w.acme.id);
    validPage = `/account/invite/${(await inviteByHttp(w.tp, owner, 'kept-open@victim.test')).token}`;
  });
  after(() => w.tp.close());

  /** A signed-out visitor holding the module's form token, as anyone does who opened a valid invitation. */
  async function visitor(): Promise<Client> {
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/login');
    await anon.get(validPage);
    return anon;
  }

  /** Every way of using a token: the page, accepting signed in, registering signed out. */
  async function allRefused(token: string, signedIn: Client, expectInvalid = true, given?: Client): Promise<void> {
    // Both hold the module's form token: the refusal below is the link's, not the form's.
    const anon = given ?? (await visitor());
    await signedIn.get(validPage);
    const page = await anon.get(`/account/invite/${token}`);
    assert.equal(page.status, 404, `GET answered ${page.status}`);
    if (expectInvalid)
      assert.doesNotMatch(page.text, /Acme Web Studio/, 'an invalid link tells nothing about the account');
    const accept = await signedIn.post(`/account/invite/${token}/accept`);
    assert.equal(accept.status, 404, `accept answered ${accept.status}`);
    const register = await anon.post(`/account/invite/${token}/register`, {
      firstName: 'Eve',
      lastName: 'Evil',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
    });
    assert.equal(register.status, 404, `register answered ${register.status}`);
  }

  it('a tampered token (one character changed) opens nothing', async () => {
    const { token } = await inviteByHttp(w.tp, owner, fresh());
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const mallory = await login(w.tp, w.mallory.email);
    await unchangedBy(w.tp.knex, () => allRefused(flipped, mallory));
  });

  const malformed: Array<[string, (t: string) => string]> = [
    ['truncated', (t) => t.slice(0, 20)],
    ['extended', (t) => `${t}A`],
    ['upper-cased', (t) => t.toUpperCase()],
    ['with a NUL byte', (t) => `${t}%00`],
    ['with a path segment', (t) => `..%2F${t}`],
    ['5,000 characters long', () => 'A'.repeat(5000)],
    ['the stored hash instead of the token', () => 'HASH'],
  ];
  for (const [name, make] of malformed) {
    it(`a token ${name} opens nothing and causes no error`, async () => {
      const { id, token } = await inviteByHttp(w.tp, owner, fresh());
      const hash = (await foundRow(w.tp, TABLES.invites, { id })).token_hash;
      const value = make(token) === 'HASH' ? hash : make(token);
      const mallory = await login(w.tp, w.mallory.email);
      await unchangedBy(w.tp.knex, () => allRefused(value, mallory));
    });
  }

  it('a used token cannot be used again, by anyone', async () => {
    const email = fresh();
    const { token } = await inviteByHttp(w.tp, owner, email);
    const invitee = await w.tp.f.user({ email });
    const first = await login(w.tp, invitee.email);
    assert.equal((await first.post(`/account/invite/${token}/accept`)).status, 303);
    const mallory = await login(w.tp, w.mallory.email);
    await unchangedBy(w.tp.knex, () => allRefused(token, mallory));
  });

  it('an expired token opens nothing, even for the invited address', async () => {
    const email = fresh();
    const { token } = await inviteByHttp(w.tp, owner, email);
    const invitee = await w.tp.f.user({ email });
    const client = await login(w.tp, invitee.email);
    // They opened the invitation while it was valid: the refusal below is the link's, not the form's.
    await client.get(`/account/invite/${token}`);
    const anon = await visitor();
    w.tp.clock.advance(8 * DAY);
    try {
      await unchangedBy(w.tp.knex, () => allRefused(token, client, true, anon));
    } finally {
      w.tp.clock.advance(-8 * DAY);
    }
  });

  it("a cancelled invitation's token opens nothing", async () => {
    const email = fresh();
    const { id, token } = await inviteByHttp(w.tp, owner, email);
    const invitee = await w.tp.f.user({ email });
    const client = await login(w.tp, invitee.email);
    await client.get(`/account/invite/${token}`);
    assert.equal((await owner.post(`/account/invites/${id}/cancel`)).status, 303);
    await unchangedBy(w.tp.knex, () => allRefused(token, client));
  });

  it('after a resend the first link is dead', async () => {
    const email = fresh();
    const { id, token } = await inviteByHttp(w.tp, owner, email);
    const invitee = await w.tp.f.user({ email });
    const client = await login(w.tp, invitee.email);
    await client.get(`/account/invite/${token}`);
    w.tp.clock.advance(61_000);
    assert.equal((await owner.post(`/account/invites/${id}/resend`)).status, 303);
    await unchangedBy(w.tp.knex, () => allRefused(token, client));
  });

  it("another signed-in person cannot accept an invitation sent to someone else's address", async () => {
    const { token } = await inviteByHttp(w.tp, owner, fresh());
    const sam = await login(w.tp, w.sam.email);
    await unchangedBy(w.tp.knex, async () => {
      const res = await sam.post(`/account/invite/${token}/accept`);
      assert.equal(res.status, 403);
      assert.equal((await sam.post('/account/switch', { accountId: String(w.acme.id) })).status, 403);
    });
  });

  it('registering from a link cannot take over an address that already has a login', async () => {
    const { token } = await inviteByHttp(w.tp, owner, w.sam.email);
    const anon = w.tp.anonymous();
    await anon.refreshCsrf(`/account/invite/${token}`);
    await unchangedBy(w.tp.knex, async () => {
      const res = await anon.post(`/account/invite/${token}/register`, {
        firstName: 'Eve',
        lastName: 'Evil',
        password: 'attacker-password',
        passwordConfirm: 'attacker-password',
        email: 'eve@attacker.test',
      });
      assert.equal(res.status, 409);
      assert.equal((await anon.get('/')).status, 302, 'not signed in as sam');
    });
  });

  it('registering uses the invited address, never one the form adds', async () => {
    const email = fresh('newcomer');
    const { token } = await inviteByHttp(w.tp, owner, email);
    const anon = w.tp.anonymous();
    await anon.refreshCsrf(`/account/invite/${token}`);
    const res = await anon.post(`/account/invite/${token}/register`, {
      firstName: 'New',
      lastName: 'Comer',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
      email: 'eve@attacker.test',
    });
    assert.equal(res.status, 303);
    assert.ok(await firstRow(w.tp, 'users', { email }));
    assert.equal(await firstRow(w.tp, 'users', { email: 'eve@attacker.test' }), undefined);
  });

  it('the invitation page is not cached and sends no referrer, so the token does not leak', async () => {
    const { token } = await inviteByHttp(w.tp, owner, fresh());
    const res = await w.tp.anonymous().get(`/account/invite/${token}`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['cache-control']), /no-store/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    const row = await firstRow(w.tp, TABLES.invites, { token_hash: token });
    assert.equal(row, undefined, 'the token itself is not stored');
  });

  it('an invitation to a closed account opens nothing', async () => {
    const email = fresh();
    const { token } = await inviteByHttp(w.tp, owner, email);
    const invitee = await w.tp.f.user({ email });
    const client = await login(w.tp, invitee.email);
    await client.get(`/account/invite/${token}`);
    const anon = await visitor();
    await w.tp.knex('accounts').where('id', w.acme.id).update({ status: 'closed' });
    try {
      await unchangedBy(w.tp.knex, () => allRefused(token, client, true, anon));
    } finally {
      await w.tp.knex('accounts').where('id', w.acme.id).update({ status: 'active' });
    }
  });
});
