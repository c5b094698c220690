import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { adminSignIn, newContext, openAccountMenu, signIn } from './browser';
import type { RunningPortal } from './portal';

/** One page of the tour: a stable file name and what it shows. */
export interface Stop {
  name: string;
  caption: string;
}

export type Visit = (stop: Stop, page: Page) => Promise<void>;

export interface TourResult {
  visited: Stop[];
  /** Pages the tour wanted to show but the portal does not have (yet). */
  missing: string[];
}

/**
 * Walks every page of the portal and the module in the order of the story, calling `visit` on
 * each with the page ready (the a11y suite runs axe there, the screenshot script takes pictures).
 */
export async function tour(browser: Browser, portal: RunningPortal, visit: Visit): Promise<TourResult> {
  const result: TourResult = { visited: [], missing: [] };
  const contexts: BrowserContext[] = [];
  const person = async () => {
    const context = await newContext(browser, portal.url);
    contexts.push(context);
    return context.newPage();
  };
  const at = async (page: Page, name: string, caption: string) => {
    await visit({ name, caption }, page);
    result.visited.push({ name, caption });
  };
  /** Opens a path and visits it, or notes it as missing when the portal answers 404. */
  const open = async (page: Page, path: string, name: string, caption: string, expect = 200): Promise<boolean> => {
    const response = (await page.goto(path)) as Response;
    if (response.status() === 404 && expect !== 404) {
      result.missing.push(`${name} (${path})`);
      return false;
    }
    if (response.status() !== expect) throw new Error(`${path} answered ${response.status()}, expected ${expect}`);
    await at(page, name, caption);
    return true;
  };

  try {
    // Signed out.
    const guest = await person();
    await open(guest, '/login', 'login', 'Sign in');

    // Alice, owner of Acme Web Studio: every host page.
    const alice = await person();
    await signIn(alice, 'alice@example.com');
    await open(alice, '/', 'dashboard', 'Dashboard (account owner)');
    await openAccountMenu(alice);
    await at(alice, 'account-menu', 'Account menu open');
    await alice.goto('/');
    await alice.locator('.mainnav summary', { hasText: 'Billing' }).click();
    await at(alice, 'billing-menu', 'Billing menu open');
    await open(alice, '/services', 'services', 'Services');
    await open(alice, '/domains', 'domains', 'Domains');
    await open(alice, '/invoices', 'invoices', 'Invoices');
    await alice.getByRole('link', { name: 'INV-1088' }).click();
    await at(alice, 'invoice', 'One invoice');
    await open(alice, '/quotes', 'quotes', 'Quotes');
    await open(alice, '/tickets', 'tickets', 'Tickets');
    await open(alice, '/profile', 'profile', 'Account details');
    await open(alice, '/contacts', 'contacts', 'Contacts');
    await open(alice, '/settings', 'settings', 'Your settings');

    // User Management, as the owner.
    if (await open(alice, '/account/users', 'users', 'User Management')) {
      const dana = alice.locator('tr', { hasText: 'dev@example.com' });
      const permissionsHref = await dana.locator('a[href$="/permissions"]').getAttribute('href');
      const removeHref = await dana.locator('a[href$="/remove"]').getAttribute('href');
      await open(alice, permissionsHref!, 'permissions', 'Manage Permissions');
      // The form shown again with its error: nothing chosen.
      await alice.getByLabel('Choose Permissions', { exact: false }).first().check();
      for (const box of await alice.locator('.au-perms input[type=checkbox]').all()) await box.uncheck();
      await alice.getByRole('button', { name: 'Save' }).click();
      await at(alice, 'permissions-error', 'Manage Permissions: an error tied to the form');
      await open(alice, removeHref!, 'remove', 'Remove Access: the confirmation');
      await open(alice, '/account/activity', 'activity', 'Activity log');
    }

    // Dana (dev): the chooser after sign-in, and a page her access to Blue Fish does not include.
    const dev = await person();
    await signIn(dev, 'dev@example.com');
    await at(dev, 'chooser', 'Choose an account after sign-in');
    await dev.getByRole('button', { name: /Blue Fish Bakery/ }).click();
    await open(dev, '/invoices', 'denied', 'Page refused: permission missing', 403);
    await open(dev, '/account/switch', 'switch-account', 'Switch Account');
    await open(dev, '/account/leave', 'leave', 'Leave an account: the confirmation');

    // The hosting company's admin area.
    const admin = await person();
    await open(admin, '/admin/login', 'admin-login', 'Admin sign-in');
    await adminSignIn(admin);
    await at(admin, 'admin-home', 'Admin home');
    await open(admin, '/admin/modules', 'admin-modules', 'Modules page with the settings');
    await open(admin, '/admin/outbox', 'admin-outbox', 'Outbox');
    await open(admin, '/admin/modules/account_users', 'admin-module', 'Account Users admin page');
  } finally {
    for (const c of contexts) await c.close();
  }
  return result;
}
