import assert from 'node:assert/strict';
import { count, foundRow } from '../helpers/db';
import { setupPortal, type TestPortal } from '../helpers/portal';

describe('sign in and out of the client area', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('signs a user with one account straight into it', async () => {
    const account = await tp.f.account({ name: 'Solo Ltd' });
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);
    assert.equal(client.lastLoginRedirect, '/');
    const home = await client.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /Solo Ltd/);
  });

  it('refuses a wrong password with the form shown again', async () => {
    const user = await tp.f.user();
    const anon = tp.anonymous();
    await anon.refreshCsrf('/login');
    const res = await anon.post('/login', { email: user.email, password: 'wrong-password' });
    assert.equal(res.status, 401);
    assert.match(res.text, /do not match/);
  });

  it('gives a new session id on login (no fixation) and ends the session in the store on logout', async () => {
    const account = await tp.f.account();
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const anon = tp.anonymous();
    const first = await anon.agent.get('/login');
    const before = String(first.headers['set-cookie'] ?? '');
    anon.csrf = /name="_csrf" value="([^"]+)"/.exec(first.text)![1];
    const login = await anon.post('/login', { email: owner.email, password: 'test-password-1' });
    const after = String(login.headers['set-cookie'] ?? '');
    assert.ok(before && after, 'cookies were set');
    assert.notEqual(before.split(';')[0], after.split(';')[0]);
    const sessions = await count(tp, 'sessions');
    await anon.refreshCsrf('/');
    const out = await anon.post('/logout');
    assert.equal(out.status, 303);
    const left = await count(tp, 'sessions');
    assert.equal(left, sessions - 1);
    assert.equal((await anon.get('/')).status, 302);
  });

  it('refuses a POST without the CSRF token', async () => {
    const account = await tp.f.account();
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);
    const res = await client.agent.post('/tickets').type('form').send({ subject: 'x', message: 'y' });
    assert.equal(res.status, 403);
    assert.equal(await count(tp, 'tickets'), 0);
  });
});
