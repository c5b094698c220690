import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';

describe('the dashboard greets a first-time user with "Welcome", a returning one with "Welcome back"', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('first sign-in: "Welcome"; the next sign-in: "Welcome back"', async () => {
    const ana = await tp.f.user({ firstName: 'Ana', lastName: 'Alves' });
    await tp.f.account({ name: 'Acme', ownerId: ana.id });
    const first = await tp.login(ana.email);
    const page = (await first.get('/')).text;
    assert.match(page, /Welcome, Ana\. You are working in Acme\./);
    assert.doesNotMatch(page, /Welcome back/);
    assert.match((await first.get('/')).text, /Welcome, Ana\./, 'the whole first session says Welcome');

    const again = await tp.login(ana.email);
    assert.match((await again.get('/')).text, /Welcome back, Ana\. You are working in Acme\./);
  });

  it('a failed attempt is no sign-in: the first real one still says "Welcome"', async () => {
    const ana = await tp.f.user({ firstName: 'Ana', lastName: 'Alves' });
    await tp.f.account({ name: 'Acme', ownerId: ana.id });
    const visitor = tp.anonymous();
    await visitor.refreshCsrf('/login');
    assert.equal((await visitor.post('/login', { email: ana.email, password: 'wrong password' })).status, 401);
    const client = await tp.login(ana.email);
    assert.match((await client.get('/')).text, /Welcome, Ana\./);
  });
});
