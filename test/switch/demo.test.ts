import assert from 'node:assert/strict';
import { seedDemo, DEMO_PASSWORD } from '../../host/seed';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { listedAccounts, menus } from './helpers';

const GUARDED = ['Services', 'Domains', 'Invoices', 'Quotes', 'Tickets'];

describe('done when: dev@example.com picks Blue Fish, then switches to Acme', () => {
  let tp: TestPortal;
  before(async () => {
    tp = await setupPortal({ active: false });
    await seedDemo(tp.portal, tp.knex);
  });
  after(() => tp.close());

  it('shows the chooser, then only Services and Tickets in Blue Fish, then everything in Acme', async () => {
    const dev = await tp.login('dev@example.com', DEMO_PASSWORD);
    assert.equal(dev.lastLoginRedirect, '/account/switch');
    const chooser = await dev.get('/account/switch');
    assert.deepEqual(listedAccounts(chooser.text).sort(), ['Acme Web Studio', 'Blue Fish Bakery']);
    assert.match(chooser.text, /Acme Web Studio<\/span>[\s\S]*?au-account-perms">All permissions</);
    assert.match(chooser.text, /Blue Fish Bakery<\/span>[\s\S]*?au-account-perms">View services, Support tickets</);

    const blueFishId = Number(
      /name="accountId" value="(\d+)"[^>]*>Open<span class="au-visually-hidden"> Blue Fish Bakery/.exec(
        chooser.text,
      )?.[1],
    );
    const picked = await dev.post('/account/switch', { accountId: String(blueFishId) });
    assert.equal(picked.status, 303);
    const blue = await dev.get(picked.headers.location);
    assert.equal(blue.status, 200);
    const blueMenus = menus(blue.text);
    assert.deepEqual(
      blueMenus.primary.filter((l) => GUARDED.includes(l)),
      ['Services', 'Tickets'],
    );
    assert.ok(!blueMenus.account.includes('Account details') && !blueMenus.account.includes('Contacts'));
    assert.ok(!blueMenus.account.includes('User Management'));
    assert.match(
      blue.text,
      /<a href="\/account\/switch">Switch Account <span class="badge">Blue Fish Bakery<\/span><\/a>/,
    );
    assert.equal((await dev.get('/invoices')).status, 403);

    // From the account menu: Switch Account, then Acme.
    const list = await dev.get('/account/switch');
    const acmeId = Number(
      /name="accountId" value="(\d+)"[^>]*>Open<span class="au-visually-hidden"> Acme Web Studio/.exec(list.text)?.[1],
    );
    const switched = await dev.post('/account/switch', { accountId: String(acmeId) });
    assert.equal(switched.headers.location, '/');
    const acme = await dev.get('/');
    const acmeMenus = menus(acme.text);
    assert.deepEqual(
      acmeMenus.primary.filter((l) => GUARDED.includes(l)),
      GUARDED,
    );
    assert.ok(acmeMenus.account.includes('Account details') && acmeMenus.account.includes('Contacts'));
    assert.match(acme.text, /class="account-name">Acme Web Studio</);
    assert.match(acme.text, /Switch Account <span class="badge">Acme Web Studio<\/span>/);
    assert.equal((await dev.get('/invoices')).status, 200);
  });
});
