import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations, newContext, signIn } from './browser';
import { useSuite } from './setup';

describe('A user manager of Blue Fish', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const contexts: BrowserContext[] = [];
  after(async () => {
    for (const c of contexts) await c.close();
  });

  async function person(email: string): Promise<Page> {
    const context = await newContext(suite.browser, suite.portal.url, 'desktop');
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, email);
    return page;
  }

  it('bob makes dev a user manager; dev invites someone with tickets only and can not give invoices', async () => {
    const bob = await person('bob@example.com');
    await bob.goto('/account/users');
    await Promise.all([
      bob.waitForNavigation(),
      bob.getByRole('link', { name: 'Manage Permissions Dana Developer' }).click(),
    ]);
    await bob.getByLabel('Manage users').check();
    assert.equal(await bob.getByLabel('Choose Permissions').isChecked(), true, 'the choice stays as it was');
    await Promise.all([bob.waitForNavigation(), bob.getByRole('button', { name: 'Save Changes' }).click()]);
    await bob.getByText('The permissions of Dana Developer were saved.').waitFor();
    const danaRow = bob.locator('tr', { hasText: 'dev@example.com' });
    assert.match((await danaRow.textContent()) ?? '', /Manage users/);

    const dev = await person('dev@example.com');
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: 'Open Blue Fish Bakery' }).click()]);
    await dev.goto('/account/users');
    assert.equal(await dev.getByRole('heading', { level: 1 }).textContent(), 'User Management');
    // No actions on the owner's row or dev's own.
    for (const email of ['bob@example.com', 'dev@example.com'])
      assert.equal(await dev.locator('tr', { hasText: email }).getByRole('link').count(), 0, email);
    await dev.getByText('You can give only the permissions you hold yourself').first().waitFor();
    const form = dev.locator('form', { has: dev.getByRole('button', { name: 'Send Invite' }) });
    assert.equal(await form.getByLabel('Invoices').isDisabled(), true, 'invoices can not be given');
    assert.equal(await form.getByLabel('All Permissions').isDisabled(), true);
    assert.equal(await form.getByLabel('Choose Permissions').isChecked(), true);
    const violations = await axeViolations(dev);
    assert.deepEqual(violations, [], describeViolations('User Management of a manager', violations));

    await form.getByLabel('E-mail addresses').fill('tina@example.org');
    await form.getByLabel('Support tickets').check();
    await Promise.all([dev.waitForNavigation(), form.getByRole('button', { name: 'Send Invite' }).click()]);
    await dev.getByText('Invitation sent to tina@example.org with access to: Support tickets.').waitFor();

    // Forcing the disabled box open is refused by the server, and nothing is sent.
    await form.getByLabel('E-mail addresses').fill('ivy@example.org');
    await form.getByLabel('Support tickets').check();
    await form.getByLabel('Invoices').evaluate((box) => {
      (box as HTMLInputElement).disabled = false;
      (box as HTMLInputElement).checked = true;
    });
    const [response] = await Promise.all([
      dev.waitForNavigation(),
      form.getByRole('button', { name: 'Send Invite' }).click(),
    ]);
    assert.equal(response?.status(), 403);
    await dev.getByText('You can give only the permissions you hold yourself. Nothing was changed.').first().waitFor();
    await dev.goto('/account/users');
    assert.equal(await dev.getByText('ivy@example.org').count(), 0);
  });
});
