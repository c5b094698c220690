import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { allRows } from '../helpers/db';

describe("security: the portal's flash messages are capped", () => {
  let tp: TestPortal;
  before(async () => {
    tp = await setupPortal();
  });
  after(() => tp.close());

  it('forty posts without reading a page leave at most five messages in the session and on the page', async () => {
    const alice = await tp.f.user({ email: 'alice@flash.test' });
    await tp.f.account({ name: 'Acme', ownerId: alice.id });
    const client = await tp.login(alice.email);
    for (let i = 0; i < 40; i += 1)
      assert.equal((await client.post('/tickets', { subject: `Ticket ${i}`, message: 'Hello' })).status, 303);
    const rows = await allRows(tp, 'sessions');
    const biggest = Math.max(...rows.map((r) => (typeof r.sess === 'string' ? r.sess : JSON.stringify(r.sess)).length));
    assert.ok(biggest < 2000, `the largest session holds ${biggest} characters`);
    const page = await client.get('/tickets');
    assert.equal((page.text.match(/Your ticket was opened/g) ?? []).length, 5);
  });
});
