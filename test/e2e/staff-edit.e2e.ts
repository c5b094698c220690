import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { adminSignIn, newContext } from './browser';
import { useSuite } from './setup';

describe("Staff change what an account's user may do", function () {
  this.timeout(120_000);
  const suite = useSuite();
  let context: BrowserContext | undefined;
  after(async () => {
    await context?.close();
  });

  it('opens the account, edits Dana’s permissions with the keyboard, saves; Dana is told by e-mail', async () => {
    context = await newContext(suite.browser, suite.portal.url);
    const page = await context.newPage();
    await adminSignIn(page);
    await page.goto('/admin/modules/account_users/accounts?q=Acme');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Acme Web Studio' }).first().click()]);
    const dana = page.locator('tr', { hasText: 'dev@example.com' });
    assert.match((await dana.textContent()) ?? '', /All permissions/);
    // The owner's row offers no such link.
    assert.equal(
      await page.locator('tr', { hasText: 'alice@example.com' }).locator('a[href$="/permissions"]').count(),
      0,
    );
    await Promise.all([
      page.waitForNavigation(),
      dana.getByRole('link', { name: 'Manage Permissions Dana Developer' }).click(),
    ]);
    assert.equal(await page.locator('h1').textContent(), 'Manage Permissions');

    const mailsBefore = suite.portal.mails().length;
    await page.getByLabel('Choose Permissions').check();
    await page.getByLabel('Invoices').focus();
    await page.keyboard.press('Space');
    assert.ok(await page.getByLabel('Invoices').isChecked());
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save Changes' }).click()]);
    await page.getByText('The permissions of Dana Developer in Acme Web Studio were saved.').waitFor();
    assert.match((await dana.textContent()) ?? '', /Invoices/);

    const mail = await suite.portal.waitForMail('dev@example.com', mailsBefore);
    assert.match(mail.subject, /^Your access to Acme Web Studio at .+ has changed$/);
    assert.match(mail.text, /Your access now: Invoices\./);
  });
});
