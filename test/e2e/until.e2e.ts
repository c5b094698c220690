import assert from 'node:assert/strict';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { newContext, signIn } from './browser';
import { useSuite } from './setup';
import { createKnex } from '../../host/db';
import { TABLES } from '../../module/tables';

const DAY = 86_400_000;

describe('Access until a date: alice gives Dana access to Acme until a day; after it Dana is out', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const contexts: BrowserContext[] = [];
  const person = async (email: string, viewport: 'desktop' | 'phone' = 'desktop'): Promise<Page> => {
    const context = await newContext(suite.browser, suite.portal.url, viewport);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, email);
    return page;
  };
  after(async () => {
    for (const c of contexts) await c.close();
  });

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
    const knex = createKnex(`sqlite:${path.join(path.dirname(suite.portal.mailDir), 'portal.sqlite')}`);
    try {
      await knex(TABLES.members)
        .whereNotNull('access_until')
        .update({ access_until: Date.now() - 1000 });
    } finally {
      await knex.destroy();
    }
    await dana.goto('/account/users');
    assert.match(dana.url(), /\/account\/switch/);
    await dana.getByText(/Your access to Acme Web Studio was granted until .+ and has ended\./).waitFor();
    assert.equal(await dana.getByRole('button', { name: /Acme Web Studio/ }).count(), 0);
    const alice = await person('alice@example.com');
    await alice.goto('/account/users');
    assert.match((await alice.locator('tr', { hasText: 'dev@example.com' }).textContent()) ?? '', /ended \(until /);
  });
});
