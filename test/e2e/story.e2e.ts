import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, adminSignIn, newContext, openAccountMenu, signIn } from './browser';
import { linkIn } from './portal';
import { useSuite } from './setup';

/** Every link of the main navigation and the account menu, as the person sees them. */
async function menu(page: Page): Promise<string[]> {
  return (await page.locator('.mainnav a, .accountmenu a').allTextContents()).map((s) => s.trim());
}

/** Whether the menu has an item; an item may carry a badge after its label (Switch Account · Acme). */
function has(items: string[], label: string): boolean {
  return items.some((item) => item === label || item.startsWith(`${label} `));
}

async function accountShown(page: Page): Promise<string> {
  return (await page.locator('.accountmenu .account-name').textContent())?.trim() ?? '';
}

/** Opens a client menu item the way a person does: opening its drop-down first when it has one. */
async function clickMenu(page: Page, label: string): Promise<void> {
  const link = page.locator('.mainnav a', { hasText: label });
  const parent = link.locator('xpath=ancestor::details[1]');
  if (await parent.count()) await parent.locator('summary').click();
  await Promise.all([page.waitForNavigation(), link.click()]);
}

/** The row of one person on the User Management page. */
function userRow(page: Page, email: string) {
  return page.locator('tr', { hasText: email });
}

describe('The story in a real browser', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const contexts: BrowserContext[] = [];
  const person = async () => {
    const context = await newContext(suite.browser, suite.portal.url);
    contexts.push(context);
    return context.newPage();
  };
  after(async () => {
    for (const c of contexts) await c.close();
  });

  const invitee = 'erin.editor@example.org';
  let alice: Page;
  let erin: Page;

  it('alice signs in and invites a new address with Invoices and Support tickets only', async () => {
    alice = await person();
    await signIn(alice, 'alice@example.com');
    assert.equal(await accountShown(alice), 'Acme Web Studio');
    await openAccountMenu(alice);
    await alice.locator('.accountmenu a', { hasText: 'User Management' }).click();
    assert.equal(await alice.locator('h1').textContent(), 'User Management');

    const form = alice.locator('form[action$="/users/invite"]');
    await form.locator('input[name=email]').fill(invitee);
    await form.locator('input[name=access][value=choose]').check();
    await form.locator('input[name=permissions][value=invoices]').check();
    await form.locator('input[name=permissions][value=tickets]').check();
    await Promise.all([alice.waitForNavigation(), form.locator('button[type=submit]').click()]);
    await alice.getByText(`Invitation sent to ${invitee} with access to: Invoices, Support tickets.`).waitFor();
    assert.equal(
      await alice.locator('.au-invites tr', { hasText: invitee }).count(),
      1,
      'listed as a pending invitation',
    );
  });

  it('the invitee opens the link from the mail, registers, lands in Acme and sees only what was granted', async () => {
    const mail = await suite.portal.waitForMail(invitee);
    const link = linkIn(mail, suite.portal.url, '/account/invite/');
    erin = await person();
    await erin.goto(link);
    assert.match((await erin.locator('h1').textContent()) ?? '', /Acme Web Studio/);

    const register = erin.locator('form[action$="/register"]');
    await register.getByLabel('First name').fill('Erin');
    await register.getByLabel('Last name').fill('Editor');
    await register.getByLabel('Password', { exact: true }).fill('a long enough password');
    await register.getByLabel('Password again').fill('a long enough password');
    await Promise.all([erin.waitForNavigation(), register.locator('button[type=submit]').click()]);

    await erin.getByText('Welcome! You now have access to Acme Web Studio.').waitFor();
    assert.equal(await accountShown(erin), 'Acme Web Studio');
    const items = await menu(erin);
    for (const granted of ['Invoices', 'Tickets']) assert.ok(has(items, granted), `${granted} in ${items.join(', ')}`);
    for (const hidden of [
      'Services',
      'Domains',
      'Quotes',
      'Account details',
      'Contacts',
      'User Management',
      'Switch Account',
    ])
      assert.ok(!has(items, hidden), `${hidden} not in ${items.join(', ')}`);
    const tiles = await erin.locator('.tile-label').allTextContents();
    assert.deepEqual(tiles.sort(), ['open tickets', 'unpaid invoices']);
    // A page that was not granted is refused even when typed in.
    assert.equal((await erin.goto('/services'))!.status(), 403);
    await erin.goto('/');
  });

  it("alice narrows the permissions: the invitee's next click is refused and the menu item is gone", async () => {
    await alice.goto('/account/users');
    await userRow(alice, invitee).locator('a[href$="/permissions"]').click();
    await alice.locator('input[name=permissions][value=invoices]').uncheck();
    await Promise.all([
      alice.waitForNavigation(),
      alice.locator('form[action$="/permissions"] button[type=submit]').click(),
    ]);
    assert.match((await userRow(alice, invitee).textContent()) ?? '', /Support tickets/);

    // Erin's page still shows the old menu; her next click is refused.
    const response = erin.waitForResponse((r) => r.url().endsWith('/invoices'));
    await clickMenu(erin, 'Invoices');
    assert.equal((await response).status(), 403);
    assert.equal(await erin.locator('h1').textContent(), 'You do not have permission');
    const items = await menu(erin);
    assert.ok(!has(items, 'Invoices'), `Invoices gone from ${items.join(', ')}`);
    assert.ok(has(items, 'Tickets'));
  });

  it('alice removes the invitee, who lands on the chooser at the next click', async () => {
    await alice.goto('/account/users');
    await userRow(alice, invitee).locator('a[href$="/remove"]').click();
    assert.equal(await alice.locator('h1').textContent(), 'Remove Access');
    await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Yes, remove access' }).click()]);
    assert.equal(await userRow(alice, invitee).count(), 0);

    // Her activity log, filtered to removals: the entry names the invitee; the address reads as IPv4.
    await alice.goto('/account/activity');
    await alice.getByLabel('Action').selectOption({ label: 'Removed access' });
    await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Filter' }).click()]);
    const entries = alice.locator('main tbody tr');
    assert.ok((await entries.count()) >= 1, 'the removal is listed');
    for (const text of await entries.allTextContents())
      assert.match(text, /Removed access/, 'only removals are listed');
    const removal = (await entries.first().textContent()) ?? '';
    assert.ok(removal.includes('Erin Editor'), `the entry names the invitee: ${removal}`);
    assert.doesNotMatch(removal, /::ffff:/, 'an IPv4 client is shown as IPv4');

    await clickMenu(erin, 'Tickets');
    assert.match(new URL(erin.url()).pathname, /^\/account\/switch/);
    assert.equal(await erin.locator('h1').textContent(), 'No account to open');
    assert.equal(await erin.locator('.mainnav').count(), 0, 'no account menus any more');
  });

  it('dev signs in, chooses Blue Fish, and switches to Acme from the account menu', async () => {
    const dev = await person();
    await signIn(dev, 'dev@example.com');
    assert.match(new URL(dev.url()).pathname, /^\/account\/switch/);
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: 'Open Blue Fish Bakery' }).click()]);
    assert.equal(await accountShown(dev), 'Blue Fish Bakery');
    assert.deepEqual((await dev.locator('.tile-label').allTextContents()).sort(), ['active services', 'open tickets']);

    // On Tickets, Acme is one click away in the account menu (a recent account, with its domain),
    // and the switch stays on Tickets.
    await clickMenu(dev, 'Tickets');
    await openAccountMenu(dev);
    const acme = dev.locator('.accountmenu').getByRole('button', { name: /^Acme Web Studio/ });
    assert.match((await acme.textContent()) ?? '', /acme\.example/);
    await Promise.all([dev.waitForNavigation(), acme.click()]);
    assert.equal(new URL(dev.url()).pathname, '/tickets');
    assert.equal(await accountShown(dev), 'Acme Web Studio');
    await dev.getByText('You are now working in Acme Web Studio.').waitFor();
    assert.ok(has(await menu(dev), 'Invoices'), 'all permissions in Acme');

    // From Domains (Acme only) back to Blue Fish, found with the menu's search box: no Domains
    // there, so the dashboard.
    await clickMenu(dev, 'Domains');
    await openAccountMenu(dev);
    await dev.locator('.accountmenu').getByLabel('Find an account').fill('BLUE fish');
    await Promise.all([
      dev.waitForNavigation(),
      dev.locator('.accountmenu').getByRole('button', { name: 'Search' }).click(),
    ]);
    assert.equal(
      await dev
        .locator('.au-account-name')
        .allTextContents()
        .then((n) => n.join()),
      'Blue Fish Bakery',
    );
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: 'Open Blue Fish Bakery' }).click()]);
    assert.equal(new URL(dev.url()).pathname, '/');
    assert.equal(await accountShown(dev), 'Blue Fish Bakery');
    await dev.getByText('That page is not open to you in Blue Fish Bakery, so you are on its start page.').waitFor();

    await openAccountMenu(dev);
    await Promise.all([dev.waitForNavigation(), dev.locator('.accountmenu a', { hasText: 'Switch Account' }).click()]);
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: 'Open Acme Web Studio' }).click()]);
    assert.equal(await accountShown(dev), 'Acme Web Studio');
  });

  it('bob accepts an invitation to Acme with his existing login', async () => {
    await alice.goto('/account/users');
    const since = suite.portal.mails().length;
    const form = alice.locator('form[action$="/users/invite"]');
    await form.locator('input[name=email]').fill('bob@example.com');
    await form.locator('input[name=access][value=all]').check();
    await Promise.all([alice.waitForNavigation(), form.locator('button[type=submit]').click()]);
    const link = linkIn(await suite.portal.waitForMail('bob@example.com', since), suite.portal.url, '/account/invite/');

    const bob = await person();
    await bob.goto(link);
    // The invitation sends him to the portal's own sign-in, which brings him back.
    await Promise.all([bob.waitForNavigation(), bob.getByRole('link', { name: 'Sign in to accept' }).click()]);
    const login = bob.locator('form', { has: bob.locator('input[type=password]') }).first();
    await login.locator('input[name=email]').fill('bob@example.com');
    await login.locator('input[name=password]').fill(DEMO_PASSWORD);
    await Promise.all([bob.waitForNavigation(), login.locator('button[type=submit]').click()]);
    // Back on the invitation, now signed in: one click accepts.
    await Promise.all([
      bob.waitForNavigation(),
      bob.getByRole('button', { name: 'Accept and open Acme Web Studio' }).click(),
    ]);
    assert.equal(await accountShown(bob), 'Acme Web Studio');
    await openAccountMenu(bob);
    assert.ok(has(await menu(bob), 'Switch Account'), 'bob now has two accounts');

    await alice.goto('/account/users');
    assert.equal(await userRow(alice, 'bob@example.com').count(), 1);
  });
  it('the admin finds dev, sees both accounts, makes dev the owner of Blue Fish and reads it in the log', async () => {
    const admin = await person();
    await adminSignIn(admin);
    await admin.locator('.mainnav a', { hasText: 'Account Users' }).click();
    await admin.getByLabel('E-mail address or name of the user').fill('dev@example');
    await Promise.all([admin.waitForNavigation(), admin.locator('form[action$="/users"][role=search] button').click()]);
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Dana Developer' }).click()]);
    const accounts = admin.locator('table tbody tr');
    assert.deepEqual((await accounts.locator('th').allTextContents()).map((s) => s.trim()).sort(), [
      'Acme Web Studio',
      'Blue Fish Bakery',
    ]);
    assert.match(
      (await accounts.filter({ hasText: 'Blue Fish Bakery' }).textContent()) ?? '',
      /View services, Support tickets/,
    );

    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Blue Fish Bakery' }).click()]);
    await Promise.all([
      admin.waitForNavigation(),
      admin
        .locator('tr', { hasText: 'dev@example.com' })
        .getByRole('link', { name: /Make Owner/ })
        .click(),
    ]);
    assert.match((await admin.locator('main').textContent()) ?? '', /Are you sure you want to make Dana Developer/);
    // The page asks what bob, the owner until now, keeps: All Permissions unless staff choose.
    assert.ok(await admin.getByLabel('All Permissions', { exact: true }).isChecked(), 'All Permissions is the default');
    await admin.getByLabel('Chosen permissions', { exact: true }).check();
    await admin.getByLabel('Invoices', { exact: true }).check();
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Yes, make owner' }).click()]);
    await admin.getByText('Dana Developer is now the owner of Blue Fish Bakery.').waitFor();
    assert.match((await admin.locator('tr', { hasText: 'dev@example.com' }).textContent()) ?? '', /Owner/);
    const bobRow = admin.locator('tr', { hasText: 'bob@example.com' });
    assert.equal(await bobRow.locator('.badge-owner').count(), 0, 'bob is a regular user now');
    assert.match((await bobRow.textContent()) ?? '', /Invoices/, 'bob keeps what staff chose');
    assert.doesNotMatch((await bobRow.textContent()) ?? '', /All permissions/);

    await Promise.all([
      admin.waitForNavigation(),
      admin.getByRole('link', { name: 'Activity log of this account' }).click(),
    ]);
    const entry = admin.locator('tr', { hasText: 'Made account owner' }).first();
    assert.match((await entry.textContent()) ?? '', /Ada Admin/);
    assert.match((await entry.textContent()) ?? '', /Dana Developer/);

    // Dana sees it too: User Management is hers in Blue Fish now.
    const dev = await person();
    await signIn(dev, 'dev@example.com');
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: 'Open Blue Fish Bakery' }).click()]);
    assert.ok(has(await menu(dev), 'User Management'));
  });

  it('the admin changes a setting and the client area follows at once', async () => {
    const admin = await person();
    await adminSignIn(admin);
    const dev = await person();
    await signIn(dev, 'dev@example.com');
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: 'Open Acme Web Studio' }).click()]);
    // Leave is on Switch Account, under the list, not in the menu beside Sign out.
    assert.ok(!has(await menu(dev), 'Leave this account'));
    await dev.goto('/account/switch');
    const leave = dev.locator('main').getByRole('link', { name: 'Leave this account' });
    assert.equal(await leave.count(), 1);

    await admin.goto('/admin/modules');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Settings', exact: true }).click()]);
    await admin.getByLabel('Users may leave an account').uncheck();
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Save settings' }).click()]);
    await admin.getByText('The settings were saved.').waitFor();
    assert.equal(await admin.getByLabel('Users may leave an account').isChecked(), false);

    await dev.reload();
    assert.equal(await leave.count(), 0, 'leaving is switched off');
    assert.equal((await dev.goto('/account/leave'))!.status(), 403);
    await dev.goto('/');
  });

  it('deactivating the module hides its pages and menu items, data stays; reactivating brings them back', async () => {
    const admin = await person();
    await adminSignIn(admin);
    await admin.goto('/admin/modules');
    // Deactivate asks first, on a page of its own that says who loses access.
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Deactivate' }).click()]);
    assert.match(
      (await admin.locator('main').textContent()) ?? '',
      /memberships? \(users? other than the owner with access to an account\) lose/,
    );
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Yes, deactivate' }).click()]);
    assert.equal(await admin.locator('strong.status').textContent(), 'Deactivated');
    assert.ok(!has(await admin.locator('.mainnav a').allTextContents(), 'Account Users'), 'admin menu item gone');

    await alice.goto('/');
    assert.ok(!has(await menu(alice), 'User Management'));
    assert.equal((await alice.goto('/account/users'))!.status(), 404);
    // Without the module each account has its one primary user again: the owner the admin chose
    // for Blue Fish is in charge there, and a login that owns nothing has nowhere to go.
    const dev = await person();
    await signIn(dev, 'dev@example.com');
    assert.equal(new URL(dev.url()).pathname, '/');
    assert.equal(await accountShown(dev), 'Blue Fish Bakery');
    const erinAgain = await person();
    await signIn(erinAgain, invitee, 'a long enough password');
    assert.equal(new URL(erinAgain.url()).pathname, '/no-account');
    assert.match((await erinAgain.locator('main').textContent()) ?? '', /that access is paused at the moment/);

    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Activate' }).click()]);
    assert.equal(await admin.locator('strong.status').textContent(), 'Active');
    await alice.goto('/account/users');
    assert.equal(await alice.locator('h1').textContent(), 'User Management');
    assert.equal(await userRow(alice, 'dev@example.com').count(), 1, 'memberships kept while off');
    await dev.goto('/');
    assert.match(new URL(dev.url()).pathname, /^\/account\/switch/, 'two accounts again: the chooser');
  });
});
