import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { signIn } from './browser';
import { linkIn, passEndDates } from './portal';
import { usePages, useSuite } from './setup';

const DAY = 86_400_000;

describe('A contractor: alice gives access to one service until a day; after it the contractor is out', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const { page } = usePages(suite);

  const contractor = 'carl.contractor@example.org';
  const day = new Date(Date.now() + 14 * DAY).toISOString().slice(0, 10);
  let carl: Page;

  it('alice invites Carl with Services for the VPS only, until a day', async () => {
    const alice = await page();
    await signIn(alice, 'alice@example.com');
    await alice.goto('/account/users');
    const form = alice.locator('form[action$="/users/invite"]');
    await form.locator('input[name=email]').fill(contractor);
    await form.locator('input[name=access][value=choose]').check();
    await form.locator('input[name=permissions][value=products]').check();
    await form.locator('input[name=scope_products][value=chosen]').check();
    await form.getByLabel('VPS Medium (build.acme.example)').check();
    await form.getByLabel('Access until (optional)').fill(day);
    await Promise.all([alice.waitForNavigation(), form.locator('button[type=submit]').click()]);
    const row = alice.locator('tr', { hasText: contractor });
    assert.match((await row.textContent()) ?? '', /View services/);
  });

  it('Carl registers from the mail on a phone and sees only that service', async () => {
    const mail = await suite.portal.waitForMail(contractor);
    carl = await page('phone');
    await carl.goto(linkIn(mail, suite.portal.url, '/account/invite/'));
    const register = carl.locator('form[action$="/register"]');
    await register.getByLabel('First name').fill('Carl');
    await register.getByLabel('Last name').fill('Contractor');
    await register.getByLabel('Password', { exact: true }).fill('a long enough password');
    await register.getByLabel('Password again').fill('a long enough password');
    await Promise.all([carl.waitForNavigation(), register.locator('button[type=submit]').click()]);
    await carl.getByText('Welcome! You now have access to Acme Web Studio.').waitFor();
    await carl.goto('/services');
    const main = (await carl.locator('main').textContent()) ?? '';
    assert.match(main, /VPS Medium/);
    assert.doesNotMatch(main, /Business Hosting/);
  });

  it('after the day Carl is sent away with the date, and Acme is not offered', async () => {
    // The day passes: the stored end moves into the past (the portal runs on the real clock).
    await passEndDates(suite.portal);
    await carl.goto('/services');
    assert.doesNotMatch(new URL(carl.url()).pathname, /^\/services/);
    await carl.getByText(/Your access to Acme Web Studio was granted until .+ and has ended\./).waitFor();
    assert.equal(await carl.getByRole('button', { name: /Acme Web Studio/ }).count(), 0);
  });
});
