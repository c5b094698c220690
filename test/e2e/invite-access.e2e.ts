import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { VIEWPORTS, signIn } from './browser';
import { useSuite } from './setup';

/** The invite form on User Management. */
const inviteForm = (page: Page) => page.locator('form[action$="/users/invite"]');

describe('The invite form sends the access the owner sees', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const contexts: BrowserContext[] = [];
  // No bypassCSP: the module's script must run under the portal's own Content-Security-Policy.
  const owner = async (javaScriptEnabled = true) => {
    const context = await suite.browser.newContext({
      baseURL: suite.portal.url,
      viewport: VIEWPORTS.desktop,
      locale: 'en-US',
      timezoneId: 'UTC',
      javaScriptEnabled,
    });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, 'alice@example.com');
    return page;
  };
  after(async () => {
    for (const c of contexts) await c.close();
  });

  it('"Invite a user" goes to the form; a box ticked picks Choose Permissions; the confirmation says so', async () => {
    const page = await owner();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto('/account/users');
    await page.getByRole('link', { name: 'Invite a user' }).click();
    assert.ok(page.url().endsWith('#invite'));
    const form = inviteForm(page);
    assert.ok(await form.locator('input[name=email]').isVisible());
    const box = await form.locator('input[name=email]').boundingBox();
    assert.ok(box && box.y >= 0 && box.y < VIEWPORTS.desktop.height, 'the form is in view');

    await form.locator('input[name=email]').fill('ticked@example.org');
    assert.ok(await form.locator('input[name=access][value=all]').isChecked(), 'All Permissions is the default');
    await form.locator('input[name=permissions][value=invoices]').check();
    assert.ok(
      await form.locator('input[name=access][value=choose]').isChecked(),
      'ticking a box selects Choose Permissions',
    );
    assert.deepEqual(blocked, []);
    await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
    await page.getByText('Invitation sent to ticked@example.org with access to: Invoices.').waitFor();
    assert.match(
      (await page.locator('.au-invites tr', { hasText: 'ticked@example.org' }).textContent()) ?? '',
      /Invoices/,
    );
  });

  it("the pending invitation's access changes from its row, without sending it again", async () => {
    const page = await owner();
    await page.goto('/account/users');
    await page
      .locator('.au-invites tr', { hasText: 'ticked@example.org' })
      .getByRole('link', { name: 'Change access' })
      .click();
    assert.equal(await page.locator('h1').textContent(), 'Change the access of an invitation');
    await page.getByLabel('Support tickets').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save' }).click()]);
    await page
      .getByText('The invitation to ticked@example.org now gives access to: Invoices, Support tickets.')
      .waitFor();
  });

  it('Manage ticks View; unticking View unticks Manage; a keyboard preset fills only its boxes, says so', async () => {
    const page = await owner();
    await page.goto('/account/users#invite');
    const form = inviteForm(page);
    const box = (key: string) => form.locator(`input[name=permissions][value=${key}]`);
    // The group also holds the choice of the account's services (with the host's `resources`).
    assert.equal(
      await form.getByRole('group', { name: 'Services' }).locator('input[name=permissions]').count(),
      3,
      'the Services group holds its three permission boxes',
    );
    assert.equal(
      await form.getByRole('group', { name: 'Services' }).locator('input[name=items_products]').count(),
      3,
      "and a box for each of the account's three services",
    );
    await box('manageproducts').check();
    assert.ok(await box('products').isChecked(), 'Manage services ticks View services');
    assert.ok(await form.locator('input[name=access][value=choose]').isChecked());
    assert.match((await form.locator('[data-au-status]').textContent()) ?? '', /Ticked: View services\./);
    await box('products').uncheck();
    assert.ok(!(await box('manageproducts').isChecked()), 'unticking View services unticks Manage services');
    assert.match((await form.locator('[data-au-status]').textContent()) ?? '', /Unticked: Manage services\./);

    await box('tickets').check();
    const preset = form.getByRole('button', { name: 'Billing (invoices and quotes)' });
    assert.ok(await preset.isVisible(), 'the presets show with script');
    await preset.focus();
    await page.keyboard.press('Enter');
    const ticked = await form
      .locator('input[name=permissions]:checked')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    assert.deepEqual(ticked, ['invoices', 'quotes'], 'exactly the preset');
    assert.match(
      (await form.locator('[data-au-status]').textContent()) ?? '',
      /Ticked: Invoices, Quotes\. Unticked: Support tickets\./,
    );
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'Billing (invoices and quotes)',
      'focus stays on the button',
    );
    assert.ok(page.url().endsWith('#invite'), 'a preset does not submit the form');
  });

  it('without script the presets are not shown and the form works as before', async () => {
    const page = await owner(false);
    await page.goto('/account/users#invite');
    const form = inviteForm(page);
    assert.equal(
      await form.getByRole('button', { name: 'Billing (invoices and quotes)' }).count(),
      0,
      'hidden buttons are not offered',
    );
    assert.ok(await form.getByRole('group', { name: 'Billing' }).isVisible());
  });

  it('without script, All Permissions with a ticked box is refused and the form says why', async () => {
    const page = await owner(false);
    await page.goto('/account/users#invite');
    const form = inviteForm(page);
    await form.locator('input[name=email]').fill('noscript@example.org');
    await form.locator('input[name=permissions][value=tickets]').check();
    assert.ok(await form.locator('input[name=access][value=all]').isChecked());
    await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
    await page.getByText('You chose All Permissions and also ticked permissions').waitFor();
    assert.ok(
      await inviteForm(page).locator('input[name=permissions][value=tickets]').isChecked(),
      'the ticked box stays ticked',
    );
    assert.equal(await page.locator('.au-invites tr', { hasText: 'noscript@example.org' }).count(), 0);
  });
});
