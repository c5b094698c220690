import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, newContext } from './browser';
import { useSuite } from './setup';

/**
 * Presses Tab until the focused element matches `selector` (and `text`, when given), checking on
 * the way that every focused element shows a visible focus ring.
 */
async function tabTo(page: Page, selector: string, text?: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate(
      ({ selector, text }) => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return { match: false, visible: true, what: 'body' };
        const style = getComputedStyle(el);
        const visible = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        const match = el.matches(selector) && (!text || (el.textContent ?? '').includes(text));
        return { match, visible, what: el.outerHTML.slice(0, 120) };
      },
      { selector, text },
    );
    assert.ok(state.visible, `focus is visible on ${state.what}`);
    if (state.match) return;
  }
  throw new Error(`Tab never reached ${selector}${text ? ` "${text}"` : ''} on ${page.url()}`);
}

async function enter(page: Page, navigates = true): Promise<void> {
  if (navigates) await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  else await page.keyboard.press('Enter');
}

describe('Keyboard only', function () {
  this.timeout(120_000);
  const suite = useSuite();

  it('the skip link moves focus to the page content', async () => {
    const context = await newContext(suite.browser, suite.portal.url);
    const page = await context.newPage();
    await page.goto('/login');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
    assert.ok(await page.locator('.skip-link').isVisible(), 'the skip link shows when focused');
    await enter(page, false);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await context.close();
  });

  it('alice signs in, opens User Management from the account menu, removes a user via the confirmation', async () => {
    const context = await newContext(suite.browser, suite.portal.url);
    const page = await context.newPage();
    await page.goto('/login');
    await tabTo(page, 'input[name=email]');
    await page.keyboard.type('alice@example.com');
    await tabTo(page, 'input[name=password]');
    await page.keyboard.type(DEMO_PASSWORD);
    await enter(page);
    assert.equal(await page.locator('h1').textContent(), 'Dashboard');

    // The account menu is a details/summary: Enter opens it, its links follow in Tab order.
    await tabTo(page, 'details.accountmenu > summary');
    await enter(page, false);
    assert.ok(await page.locator('details.accountmenu').evaluate((d) => (d as HTMLDetailsElement).open));
    await tabTo(page, '.accountmenu a', 'User Management');
    await enter(page);
    assert.equal(await page.locator('h1').textContent(), 'User Management');

    await tabTo(page, 'a[href$="/remove"]', 'Remove Access');
    await enter(page);
    assert.equal(await page.locator('h1').textContent(), 'Remove Access');
    await tabTo(page, 'button', 'Yes, remove access');
    await enter(page);
    assert.equal(await page.locator('h1').textContent(), 'User Management');
    await page.getByRole('status').filter({ hasText: 'no longer has access' }).first().waitFor();
    assert.equal(await page.locator('tr', { hasText: 'dev@example.com' }).count(), 0);
    await context.close();
  });

  it('a drop-down of the main menu opens with Enter and its links are reachable', async () => {
    const context = await newContext(suite.browser, suite.portal.url);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('E-mail').fill('bob@example.com');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await enter(page);
    await tabTo(page, '.mainnav summary', 'Billing');
    await enter(page, false);
    await tabTo(page, '.mainnav a', 'Invoices');
    await enter(page);
    assert.equal(await page.locator('h1').textContent(), 'Invoices');
    await context.close();
  });
});
