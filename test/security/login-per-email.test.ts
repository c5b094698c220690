import assert from 'node:assert/strict';
import { Factories } from '../helpers/factories';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { unchangedBy } from './snapshot';

/** A new client address must not buy fresh attempts at one login: a limit per e-mail address too. */
describe('security: sign-in attempts are limited per e-mail address', () => {
  let tp: TestPortal;
  let n = 0;
  const from = () => ({ 'X-Forwarded-For': `203.0.113.${(n += 1) % 250}` });
  beforeEach(async () => {
    tp = await setupPortal({ config: { trustProxy: true } });
    await tp.f.user({ email: 'alice@limit.test' });
    await tp.f.admin({ email: 'staff@limit.test' });
  });
  afterEach(() => tp.close());

  it("client sign-in: an e-mail's 11th failure is refused from any IP, right password too; unknown alike", async () => {
    for (const email of ['alice@limit.test', 'nobody@limit.test']) {
      const anon = tp.anonymous();
      await anon.refreshCsrf('/login');
      for (let i = 0; i < 10; i += 1)
        assert.equal(
          (await anon.post('/login', { email, password: 'wrong-password' }, from())).status,
          401,
          `${email} ${i}`,
        );
      await unchangedBy(tp.knex, async () => {
        const res = await anon.post('/login', { email: email.toUpperCase(), password: Factories.PASSWORD }, from());
        assert.equal(res.status, 429, email);
        assert.match(res.text, /Too many attempts/);
      });
    }
    // Another login is not affected.
    await tp.f.user({ email: 'bob@limit.test' });
    const bob = tp.anonymous();
    await bob.refreshCsrf('/login');
    assert.equal(
      (await bob.post('/login', { email: 'bob@limit.test', password: Factories.PASSWORD }, from())).status,
      303,
    );
  });

  it('successful sign-ins do not use up the tries', async () => {
    for (let i = 0; i < 12; i += 1) {
      const anon = tp.anonymous();
      await anon.refreshCsrf('/login');
      assert.equal(
        (await anon.post('/login', { email: 'alice@limit.test', password: Factories.PASSWORD }, from())).status,
        303,
        String(i),
      );
    }
  });

  it('staff sign-in: the 6th failure for one address from new client addresses is refused', async () => {
    const anon = tp.anonymous();
    await anon.refreshCsrf('/admin/login');
    for (let i = 0; i < 5; i += 1)
      assert.equal(
        (await anon.post('/admin/login', { email: 'staff@limit.test', password: 'wrong-password' }, from())).status,
        401,
      );
    assert.equal(
      (await anon.post('/admin/login', { email: 'staff@limit.test', password: Factories.PASSWORD }, from())).status,
      429,
    );
  });
});
