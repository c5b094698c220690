import assert from 'node:assert/strict';
import { createApp } from '../../host/app';
import { isMysql } from '../../host/db';
import { count, emptyDatabase, sharedKnex } from '../helpers/db';
import { quietLogger, setupPortal, testConfig, type TestPortal } from '../helpers/portal';

describe('security: sessions for visitors who never sign in', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('reading pages signed out stores no session: 404s, redirects, the language picker', async () => {
    const before = await count(tp, 'sessions');
    for (let i = 0; i < 25; i += 1) {
      const anon = tp.anonymous();
      assert.equal((await anon.get(`/no-such-page-${i}`)).status, 404);
      assert.equal((await anon.get('/invoices')).status, 302);
      assert.equal((await anon.get('/account/users')).status, 302);
      assert.equal((await anon.get('/admin/modules')).status, 302);
    }
    // The footer's language picker works for such a visitor and stores nothing either.
    const visitor = tp.anonymous();
    const picked = await visitor.agent.post('/language').type('form').send('locale=de&from=/login');
    assert.equal(picked.status, 303);
    assert.match(String(picked.headers['set-cookie']), /locale|lang/i);
    assert.match((await visitor.get('/no-such-page')).text, /lang="de"/);
    assert.equal(await count(tp, 'sessions'), before);
  });

  it('the sign-in form still starts a session, and a visitor holding one keeps the picker protected', async () => {
    const anon = tp.anonymous();
    await anon.refreshCsrf('/login');
    assert.ok(anon.csrf, 'the sign-in form carries a token');
    assert.equal(await count(tp, 'sessions'), 1);
    assert.equal(
      (await anon.agent.post('/language').type('form').send('locale=de')).status,
      403,
      'a session with a token needs it',
    );
    assert.equal((await anon.post('/language', { locale: 'de' })).status, 303);
  });

  it('expired sessions are deleted from the store, the live ones kept', async () => {
    const { knex } = await sharedKnex();
    await emptyDatabase(knex);
    // In the format the store writes: ISO text on SQLite, a UTC DATETIME on MariaDB.
    const stamp = (ms: number) =>
      isMysql(knex) ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : new Date(ms).toISOString();
    const past = stamp(Date.now() - 3600_000);
    const future = stamp(Date.now() + 3600_000);
    await knex('sessions').insert([
      { sid: 'expired-one', sess: '{"cookie":{}}', expired: past },
      { sid: 'live-one', sess: '{"cookie":{}}', expired: future },
    ]);
    const portal = await createApp({ knex, config: testConfig(), logger: quietLogger, moduleStateTtlMs: 0 });
    try {
      for (let i = 0; i < 50 && (await knex('sessions').where('sid', 'expired-one').first()); i += 1)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(
        await knex('sessions').where('sid', 'expired-one').first(),
        undefined,
        'the expired session is gone',
      );
      assert.ok(await knex('sessions').where('sid', 'live-one').first(), 'the live one stays');
    } finally {
      await portal.close();
    }
  });
});
