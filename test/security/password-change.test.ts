import assert from 'node:assert/strict';
import { CookieAccessInfo } from 'cookiejar';
import { Factories } from '../helpers/factories';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { firstRow, foundRow } from '../helpers/db';

const sidOf = (client: Client) =>
  (
    client.agent as unknown as { jar: { getCookie(n: string, i: unknown): { value: string } | undefined } }
  ).jar.getCookie('portal.sid', CookieAccessInfo.All)?.value;

describe('security: changing the password', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
    const alice = await tp.f.user({ email: 'alice@password.test' });
    await tp.f.account({ name: 'Acme', ownerId: alice.id });
  });
  afterEach(() => tp.close());

  const change = (client: Client, current: string, next = 'a-brand-new-password') =>
    client.post('/settings/password', { currentPassword: current, newPassword: next, newPasswordAgain: next });

  it('ends every other session of the person and gives this one a new id', async () => {
    const phone = await tp.login('alice@password.test');
    const desktop = await tp.login('alice@password.test');
    await desktop.refreshCsrf('/settings');
    const before = sidOf(desktop);
    assert.equal((await change(desktop, Factories.PASSWORD)).status, 303);
    assert.notEqual(sidOf(desktop), before, 'a new session id');
    const settings = await desktop.get('/settings');
    assert.equal(settings.status, 200, 'still signed in here');
    assert.match(settings.text, /Your password was changed|password/i);
    const elsewhere = await phone.get('/account/users');
    assert.equal(elsewhere.status, 302, 'the other session is signed out');
    assert.match(elsewhere.headers.location, /^\/login/);
    assert.equal(
      await firstRow(tp, 'sessions', { sid: decodeURIComponent(before!).slice(2).split('.')[0] }),
      undefined,
      'the old id is gone from the store',
    );
  });

  it('the 11th wrong current password in 15 minutes is refused, even the right one then', async () => {
    const client = await tp.login('alice@password.test');
    await client.refreshCsrf('/settings');
    for (let i = 0; i < 10; i += 1) assert.equal((await change(client, 'wrong-password')).status, 422, String(i));
    const res = await change(client, Factories.PASSWORD);
    assert.equal(res.status, 429);
    assert.match(res.text, /Too many attempts/);
    const row = await foundRow(tp, 'users', { email: 'alice@password.test' });
    const other = await tp.login('alice@password.test').catch(() => undefined);
    assert.ok(other, `the old password still signs in (${row.password_hash.slice(0, 6)})`);
  });
});
