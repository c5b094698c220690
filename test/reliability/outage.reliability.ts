import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { createKnex } from '../../host/db';
import { allRows, count, firstRow } from '../helpers/db';
import type { Portal } from '../../host/app';
import { Client, rememberSessionDatabase } from '../helpers/portal';
import type { Factories } from '../helpers/factories';
import { diff, snapshot } from '../security/snapshot';
import { DbProxy } from './proxy';
import { freshDatabase, instance, mysqlUrl, requireMysql } from './setup';
import { TABLES } from '../../module/tables';

const PASSWORD = 'test-password-1';
const LEAK = /\n\s+at [^\n]+:\d+:\d+|node_modules\/|ECONNREFUSED|PROTOCOL_CONNECTION_LOST|KnexTimeoutError/;

/** The database goes away in the middle of requests and comes back: 503 pages, no partial writes, recovery. */
describe('reliability: MariaDB goes away and comes back', function () {
  this.timeout(120_000);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let proxy: DbProxy;
  let appKnex: Knex;
  let portal: Portal;
  let f: Factories;
  let owner: Client;
  let acme: { id: number };
  let dev: { id: number; email: string };
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);

  before(async function () {
    await requireMysql(this);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    db = await freshDatabase('outage');
    const target = new URL(mysqlUrl);
    proxy = new DbProxy({ host: target.hostname, port: Number(target.port || 3306) });
    await proxy.start();
    const through = new URL(mysqlUrl);
    through.host = `127.0.0.1:${proxy.port}`;
    appKnex = createKnex(`${through.toString().replace(/\/+$/, '')}/${db.name}`);
    // Knex prints every failed connection attempt; the outage is the point here, not noise to read.
    const logger = (appKnex.client as { logger: Record<string, unknown> }).logger;
    logger.warn = () => undefined;
    logger.error = () => undefined;
    ({ portal, f } = await instance(appKnex, { activate: true, moduleStateTtlMs: 0, requestTimeoutMs: 2000 }));
    // The test reads which account a form is for past the proxy, as a page rendered earlier would know.
    rememberSessionDatabase(portal.app, db.knex);
    const alice = await f.user({ email: 'alice@outage.test' });
    dev = await f.user({ email: 'dev@outage.test' });
    acme = await f.account({ name: 'Acme', ownerId: alice.id });
    await f.member(acme.id, dev.id, 'all');
    await portal.accountUsers.settings.save({ ...portal.accountUsers.settings.current(), invitesPerHour: 1000 });
    owner = await Client.login(portal.app, alice.email, PASSWORD);
    await owner.refreshCsrf('/account/users');
  });

  after(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await proxy?.stop();
    await portal?.close();
    await appKnex?.destroy();
    await db?.drop();
  });

  const requests: Array<
    [string, (c: Client, anon: Client) => Promise<{ status: number; text: string; headers: Record<string, string> }>]
  > = [
    ['GET /', (c) => c.get('/')],
    ['GET /account/users', (c) => c.get('/account/users')],
    ['GET /invoices', (c) => c.get('/invoices')],
    ['GET /account/switch', (c) => c.get('/account/switch')],
    ['GET /login signed out', (_c, a) => a.get('/login')],
    ['POST /login', (_c, a) => a.post('/login', { email: 'alice@outage.test', password: PASSWORD })],
    [
      'POST /account/users/invite',
      (c) => c.post('/account/users/invite', { email: 'during@outage.test', access: 'all' }),
    ],
    [
      'POST permissions',
      (c) => c.post(`/account/users/${dev.id}/permissions`, { access: 'choose', permissions: ['tickets'] }),
    ],
    ['POST remove', (c) => c.post(`/account/users/${dev.id}/remove`)],
    ['POST /tickets', (c) => c.post('/tickets', { subject: 'Down?', message: 'Is it down?' })],
  ];

  it('every request while the database is away gets the translated 503 page, without delay or internals', async () => {
    const anon = new Client(portal.app);
    await anon.refreshCsrf('/login');
    const before = await snapshot(db.knex);
    proxy.cutAll();
    try {
      for (const [name, run] of requests) {
        const started = Date.now();
        const res = await run(owner, anon);
        assert.equal(res.status, 503, `${name} answered ${res.status}`);
        assert.match(res.text, /Temporarily unavailable/);
        assert.match(res.text, /try again in a moment/);
        assert.equal(res.headers['retry-after'], '5');
        assert.doesNotMatch(res.text, LEAK, name);
        assert.ok(Date.now() - started < 15_000, `${name} took ${Date.now() - started} ms`);
      }
    } finally {
      proxy.restore();
    }
    assert.deepEqual(diff(before, await snapshot(db.knex)), [], 'nothing was written');
  });

  it('recovers by itself: the same session works again and writes go through', async () => {
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await owner.get('/account/users')).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status, 200, 'the portal answers again without a restart');
    const res = await owner.post('/account/users/invite', { email: 'after@outage.test', access: 'all' });
    assert.equal(res.status, 303);
    assert.ok(await db.knex(TABLES.invites).where('email', 'after@outage.test').first());
  });

  it('writes cut midway are whole or absent: invitation and log entry together; Resend repairs lost mail', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `mid${i}@outage.test`);
    const sent = Promise.all([
      ...emails.map((email) => owner.post('/account/users/invite', { email, access: 'all' })),
      ...Array.from({ length: 20 }, (_, i) =>
        owner.post(
          `/account/users/${dev.id}/permissions`,
          i % 2 ? { access: 'all' } : { access: 'choose', permissions: ['tickets'] },
        ),
      ),
    ]);
    // Cut once a few invitations went through, so the cut lands among requests in flight.
    for (let i = 0; i < 400; i += 1) {
      const made = await count(db, TABLES.invites, (q) => q.where('email', 'like', 'mid%'));
      if (made >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    proxy.cutAll();
    const results = await sent;
    proxy.restore();
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 303 || s === 503),
      `statuses: ${statuses.join(',')}`,
    );
    assert.ok(statuses.includes(503), 'the cut hit some requests');
    let kept = 0;
    const unsent: number[] = [];
    for (const email of emails) {
      const invite = await firstRow(db, TABLES.invites, { email });
      const log = await firstRow(db, TABLES.log, { action: 'invite_sent', target_email: email });
      const mail = await firstRow(db, 'outbox', { to_address: email });
      assert.equal(Boolean(log), Boolean(invite), `${email}: invitation and log entry together`);
      if (invite && mail) assert.ok(log, `${email}: a mailed invitation is logged`);
      if (invite) kept += 1;
      // The Outbox lives in the same database: an e-mail whose insert was cut leaves the
      // invitation pending (and listed), and its Resend repairs it once the database is back.
      if (invite && !mail) unsent.push(Number(invite.id));
      if (invite && !mail)
        assert.equal(
          invite.pending_email,
          email,
          `${email}: an invitation without its e-mail stays pending, to be resent`,
        );
    }
    assert.ok(kept >= 5, 'the cut came after some invitations were made');
    // A resend within a minute of the last send is refused as a double click: these come later.
    if (unsent.length)
      await db
        .knex(TABLES.invites)
        .whereIn('id', unsent)
        .update({ last_sent_at: Date.now() - 120_000 });
    for (const id of unsent) {
      assert.equal((await owner.post(`/account/invites/${id}/resend`)).status, 303, 'Resend works after the outage');
    }
    assert.equal(
      await count(db, TABLES.invites, (q) =>
        q
          .whereIn('id', unsent)
          .whereNotExists(db.knex('outbox').whereRaw('?? = ??', ['outbox.to_address', `${TABLES.invites}.email`])),
      ),
      0,
    );
    const member = await allRows(db, TABLES.members, { account_id: acme.id, user_id: dev.id });
    assert.equal(member.length, 1);
    const changes = await firstRow(db, TABLES.log, (q) =>
      q.where({ action: 'permissions_changed', target_user_id: dev.id }).orderBy('id', 'desc'),
    );
    if (changes) {
      const to = (JSON.parse(changes.details ?? '{}') as { to?: unknown }).to;
      const now: unknown = member[0].all_permissions ? 'all' : JSON.parse(member[0].permissions);
      assert.deepEqual(now, to, 'the member has what the last logged change says');
    }
    console.log(
      `      cut mid-flight: ${kept} of ${emails.length} invitations kept with their log entry ` +
        `(${unsent.length} without the e-mail, resent after), ` +
        `${statuses.filter((s) => s === 503).length} of ${statuses.length} requests answered 503, ` +
        `${proxy.dropped} connections dropped`,
    );
  });

  it('a second outage and recovery work the same (nothing was left broken by the first)', async () => {
    proxy.cutAll();
    assert.equal((await owner.get('/account/users')).status, 503);
    proxy.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i += 1) {
      status = (await owner.get('/account/users')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status, 200);
  });

  it('a database that stops answering gets the 503 page past the request limit, recovers when it answers', async () => {
    assert.equal((await owner.get('/account/users')).status, 200);
    const before = await snapshot(db.knex);
    proxy.hold();
    try {
      for (const [name, run] of [requests[1], requests[6]]) {
        const started = Date.now();
        const res = await run(owner, new Client(portal.app));
        const took = Date.now() - started;
        assert.equal(res.status, 503, `${name} answered ${res.status}`);
        assert.match(res.text, /Temporarily unavailable/);
        assert.ok(took >= 1900 && took < 6000, `${name} waited ${took} ms`);
      }
    } finally {
      proxy.restore();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i += 1) {
      status = (await owner.get('/account/users')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status, 200);
    // The held invitation may have gone through once the bytes flowed again; if so, whole.
    const held = await firstRow(db, TABLES.invites, { email: 'during@outage.test' });
    const log = await firstRow(db, TABLES.log, { action: 'invite_sent', target_email: 'during@outage.test' });
    assert.equal(Boolean(log), Boolean(held));
    if (!held)
      assert.deepEqual(
        diff(before, await snapshot(db.knex)).filter((d) => d.table !== 'outbox'),
        [],
      );
  });

  it('the process stayed up: no uncaught exception and no unhandled rejection', () => {
    assert.deepEqual(crashes.map(String), []);
  });
});
