import assert from 'node:assert/strict';
import { CookieAccessInfo } from 'cookiejar';
import type { Knex } from 'knex';
import { createKnex } from '../../host/db';
import type { Portal } from '../../host/app';
import { Client } from '../helpers/portal';
import type { Factories } from '../helpers/factories';
import { freshDatabase, instance, mysqlUrl, requireMysql } from './setup';
import { TABLES } from '../../module/tables';

const PASSWORD = 'test-password-1';
const TTL = 300;

/** A client of instance B that carries the cookie (and so the session) a login on instance A made. */
function sameBrowserOn(app: Portal['app'], from: Client): Client {
  const other = new Client(app);
  const jar = (from.agent as unknown as { jar: { getCookies(info: unknown): Array<{ toValueString(): string }> } }).jar;
  const cookies = jar.getCookies(CookieAccessInfo.All).map((c) => c.toValueString());
  (other.agent as unknown as { jar: { setCookies(c: string[]): void } }).jar.setCookies(cookies);
  other.csrf = from.csrf;
  return other;
}

/** Two app instances (as two processes behind a load balancer), each with its own pool, on one MariaDB. */
describe('reliability: two app instances on one database', function () {
  this.timeout(60_000);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let knexB: Knex;
  let a: Portal;
  let b: Portal;
  let f: Factories;
  let acme: { id: number };
  let alice: { id: number; email: string };
  let dev: { id: number; email: string };

  before(async function () {
    await requireMysql(this);
    db = await freshDatabase('instances');
    knexB = createKnex(`${mysqlUrl}/${db.name}`);
    ({ portal: a, f } = await instance(db.knex, { activate: true, moduleStateTtlMs: TTL }));
    ({ portal: b } = await instance(knexB, { moduleStateTtlMs: TTL }));
    alice = await f.user({ email: 'alice@two.test' });
    dev = await f.user({ email: 'dev@two.test' });
    acme = await f.account({ name: 'Acme', ownerId: alice.id });
    await f.member(acme.id, dev.id, 'all');
    await f.invoice(acme.id, { number: 'INV-TWO-1' });
    await new Promise((resolve) => setTimeout(resolve, TTL + 50));
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await knexB?.destroy();
    await db?.drop();
  });

  it('a login on one instance is signed in on the other, and its forms post there', async () => {
    const onA = await Client.login(a.app, alice.email, PASSWORD);
    await onA.refreshCsrf('/account/users');
    const onB = sameBrowserOn(b.app, onA);
    const list = await onB.get('/account/users');
    assert.equal(list.status, 200);
    assert.match(list.text, /dev@two\.test/);
    // The CSRF token issued by A is in the shared session, so B accepts the form.
    const res = await onB.post('/account/users/invite', { email: 'via-b@two.test', access: 'all' });
    assert.equal(res.status, 303);
    assert.ok(await db.knex(TABLES.invites).where('pending_email', 'via-b@two.test').first());
  });

  it('a user removed on one instance is refused at their next request on the other', async () => {
    const ownerA = await Client.login(a.app, alice.email, PASSWORD);
    await ownerA.refreshCsrf('/account/users');
    const devA = await Client.login(a.app, dev.email, PASSWORD);
    const devB = sameBrowserOn(b.app, devA);
    assert.equal((await devB.get('/invoices')).status, 200);
    assert.equal((await ownerA.post(`/account/users/${dev.id}/remove`)).status, 303);
    const next = await devB.get('/invoices');
    assert.equal(next.status, 302);
    assert.match(String(next.headers.location), /^\/account\/switch/);
    assert.doesNotMatch((await devB.get('/')).text, /INV-TWO-1/);
    await f.member(acme.id, dev.id, 'all');
  });

  it('a permission narrowed on one instance applies at the next request on the other', async () => {
    const ownerB = sameBrowserOn(
      b.app,
      await (async () => {
        const c = await Client.login(a.app, alice.email, PASSWORD);
        await c.refreshCsrf('/account/users');
        return c;
      })(),
    );
    const devA = await Client.login(a.app, dev.email, PASSWORD);
    assert.equal((await devA.get('/invoices')).status, 200);
    assert.equal(
      (await ownerB.post(`/account/users/${dev.id}/permissions`, { access: 'choose', permissions: ['tickets'] }))
        .status,
      303,
    );
    assert.equal((await devA.get('/invoices')).status, 403);
  });

  it('logging out on one instance ends the session on the other', async () => {
    const onA = await Client.login(a.app, alice.email, PASSWORD);
    await onA.refreshCsrf('/');
    const onB = sameBrowserOn(b.app, onA);
    assert.equal((await onB.get('/account/users')).status, 200);
    assert.equal((await onA.post('/logout')).status, 303);
    assert.equal((await onB.get('/account/users')).status, 302);
  });

  it('the login rate limit counts attempts on both instances together', async () => {
    await db.knex('rate_limits').del();
    const clients = [new Client(a.app), new Client(b.app)];
    for (const c of clients) await c.refreshCsrf('/login');
    // Other addresses each time, so the per-client-address limit is what counts here.
    for (let i = 0; i < 20; i += 1) {
      assert.equal(
        (await clients[i % 2].post('/login', { email: `nobody${i}@two.test`, password: 'wrong-password' })).status,
        401,
      );
    }
    assert.equal((await clients[0].post('/login', { email: alice.email, password: PASSWORD })).status, 429);
    assert.equal((await clients[1].post('/login', { email: alice.email, password: PASSWORD })).status, 429);
    await db.knex('rate_limits').del();
  });

  it('the sign-in limit per e-mail address counts failures on both instances together', async () => {
    await db.knex('rate_limits').del();
    const clients = [new Client(a.app), new Client(b.app)];
    for (const c of clients) await c.refreshCsrf('/login');
    for (let i = 0; i < 10; i += 1) {
      assert.equal(
        (await clients[i % 2].post('/login', { email: alice.email, password: 'wrong-password' })).status,
        401,
      );
    }
    assert.equal((await clients[1].post('/login', { email: alice.email, password: PASSWORD })).status, 429);
    await db.knex('rate_limits').del();
  });

  it('the admin switching the module off on one instance reaches the other within the refresh time', async () => {
    const ownerB = await Client.login(b.app, alice.email, PASSWORD);
    assert.equal((await ownerB.get('/account/users')).status, 200);
    await a.registry.save({ active: false });
    await new Promise((resolve) => setTimeout(resolve, TTL + 50));
    assert.equal((await ownerB.get('/account/users')).status, 404);
    await a.registry.save({ active: true });
    await new Promise((resolve) => setTimeout(resolve, TTL + 50));
    assert.equal((await ownerB.get('/account/users')).status, 200);
  });
});
