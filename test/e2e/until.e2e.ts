import assert from 'node:assert/strict';
import { passEndDates } from './portal';
import { usePages, useSuite } from './setup';

const DAY = 86_400_000;

describe('Access until a date: alice gives Dana access to Acme until a day; after it Dana is out', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const { person } = usePages(suite);

  const day = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
  const shown = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${day}T12:00:00Z`),
  );

  it('alice sets an end date on Manage Permissions; a past day is refused at the field', async () => {
    const alice = await person('alice@example.com');
    await alice.goto('/account/users');
    await Promise.all([
      alice.waitForNavigation(),
      alice.getByRole('link', { name: 'Manage Permissions Dana Developer' }).click(),
    ]);
    const field = alice.getByLabel('Access until (optional)');
    await field.fill(new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10));
    // The input's own minimum would stop the browser; the server's answer is what is tested here.
    await field.evaluate((input) => input.removeAttribute('min'));
    await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Save' }).click()]);
    await alice.getByText('That day has already passed. Choose today or a later day.').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await field.fill(day);
    await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Save' }).click()]);
    assert.match(
      (await alice.locator('tr', { hasText: 'dev@example.com' }).textContent()) ?? '',
      new RegExp(`until ${shown}`),
    );
  });

  it('after the day Dana, on a phone, is sent to the chooser with the date, and Acme is not offered', async () => {
    const dana = await person('dev@example.com', 'phone');
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Acme Web Studio/ }).click()]);
    // The day passes: the stored end moves into the past (the portal runs on the real clock).
    await passEndDates(suite.portal);
    await dana.goto('/account/users');
    assert.match(dana.url(), /\/account\/switch/);
    await dana.getByText(/Your access to Acme Web Studio was granted until .+ and has ended\./).waitFor();
    assert.equal(await dana.getByRole('button', { name: /Acme Web Studio/ }).count(), 0);
    const alice = await person('alice@example.com');
    await alice.goto('/account/users');
    assert.match((await alice.locator('tr', { hasText: 'dev@example.com' }).textContent()) ?? '', /ended \(until /);
  });
});
