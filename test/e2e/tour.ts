import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { DEMO_PASSWORD, adminSignIn, newContext, openAccountMenu, signIn } from './browser';
import { linkIn, type RunningPortal } from './portal';

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
    await guest.getByLabel('E-mail').fill('alice@example.com');
    await guest.getByLabel('Password').fill('not the password');
    await Promise.all([guest.waitForNavigation(), guest.getByRole('button', { name: 'Sign in' }).click()]);
    await at(guest, 'login-error', 'Sign in: wrong password');

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
    await Promise.all([alice.waitForNavigation(), alice.getByRole('link', { name: 'INV-1088' }).click()]);
    await at(alice, 'invoice', 'One invoice');
    await open(alice, '/quotes', 'quotes', 'Quotes');
    await open(alice, '/tickets', 'tickets', 'Tickets');
    await open(alice, '/profile', 'profile', 'Account details');
    await open(alice, '/contacts', 'contacts', 'Contacts');
    await open(alice, '/settings', 'settings', 'Your settings');

    // Invitations: alice invites a new address and an existing login; the form with an error.
    const newcomer = 'erin.editor@example.org';
    let invitation: string | undefined;
    let bobInvitation: string | undefined;
    await alice.goto('/account/users');
    const inviteForm = alice.locator('form[action$="/users/invite"]');
    if (await inviteForm.count()) {
      await inviteForm.locator('input[name=email]').fill('not an address');
      await Promise.all([alice.waitForNavigation(), inviteForm.locator('button[type=submit]').click()]);
      await at(alice, 'invite-error', 'Invite form: the error tied to its field');
      const invite = async (email: string, keys: string[]) => {
        await alice.goto('/account/users');
        const since = portal.mails().length;
        const form = alice.locator('form[action$="/users/invite"]');
        await form.locator('input[name=email]').fill(email);
        await form.locator(`input[name=access][value=${keys.length ? 'choose' : 'all'}]`).check();
        for (const key of keys) await form.locator(`input[name=permissions][value=${key}]`).check();
        await Promise.all([alice.waitForNavigation(), form.locator('button[type=submit]').click()]);
        return linkIn(await portal.waitForMail(email, since), portal.url, '/invite/');
      };
      invitation = await invite(newcomer, ['invoices', 'tickets']);
      bobInvitation = await invite('bob@example.com', []);
      await invite('frank.freelancer@example.net', ['products', 'domains']);
      // Several addresses at once: a result for each (sent, already invited, already a user, not an address).
      await alice.goto('/account/users');
      const several = alice.locator('form[action$="/users/invite"]');
      await several
        .locator('input[name=email]')
        .fill('gina.guest@example.org, frank.freelancer@example.net, dev@example.com, not-an-address');
      await several.locator('input[name=access][value=all]').check();
      await Promise.all([alice.waitForNavigation(), several.locator('button[type=submit]').click()]);
      await at(alice, 'invite-results', 'Invite several addresses: a result for each');
    } else {
      result.missing.push('invite form (/account/users)');
    }

    // User Management, as the owner.
    if (await open(alice, '/account/users', 'users', 'User Management with pending invitations')) {
      const cancel = alice.locator('a[href$="/cancel"]').first();
      const cancelHref = (await cancel.count()) ? await cancel.getAttribute('href') : null;
      const dana = alice.locator('tr', { hasText: 'dev@example.com' });
      const permissionsHref = await dana.locator('a[href$="/permissions"]').getAttribute('href');
      const removeHref = await dana.locator('a[href$="/remove"]').getAttribute('href');
      const handover = dana.locator('a[href*="/ownership?userId="]');
      const handoverHref = (await handover.count()) ? await handover.getAttribute('href') : null;
      const access = alice.locator('a[href$="/access"]').first();
      const accessHref = (await access.count()) ? await access.getAttribute('href') : null;
      if (cancelHref) await open(alice, cancelHref, 'invite-cancel', 'Cancel an invitation: the confirmation');
      if (accessHref)
        await open(
          alice,
          accessHref,
          'invite-access',
          "A pending invitation's access, changed without sending it again",
        );
      else result.missing.push('change access of a pending invitation (/account/invites/:id/access)');
      await open(alice, permissionsHref!, 'permissions', 'Manage Permissions');
      // The form shown again with its error: nothing chosen.
      await alice.getByLabel('Choose Permissions', { exact: false }).first().check();
      for (const box of await alice.locator('.au-perms input[type=checkbox]').all()) await box.uncheck();
      await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Save' }).click()]);
      await at(alice, 'permissions-error', 'Manage Permissions: an error tied to the form');
      await open(alice, removeHref!, 'remove', 'Remove Access: the confirmation');
      // Hand over ownership: a wrong password, then an offer to Dana that stays open for her to answer.
      if (
        handoverHref &&
        (await open(alice, handoverHref, 'ownership', 'Hand over ownership: confirmed with a password'))
      ) {
        await alice.getByLabel('Your password').fill('not the password');
        await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Offer ownership' }).click()]);
        await at(alice, 'ownership-error', 'Hand over ownership: a wrong password, tied to its field');
        await alice.getByLabel('Your password').fill(DEMO_PASSWORD);
        await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Offer ownership' }).click()]);
        await at(alice, 'ownership-offered', 'User Management with an open offer of ownership');
      } else result.missing.push('hand over ownership (/account/ownership)');
      await open(alice, '/account/activity', 'activity', 'Activity log');
    }

    // The newcomer opens the mailed link signed out: sign in or register; then lands in Acme.
    if (invitation) {
      const erin = await person();
      await open(erin, invitation, 'invitation', 'Invitation, signed out: sign in or register');
      const register = erin.locator('form[action$="/register"]');
      await register.getByLabel('First name').fill('Erin');
      await register.getByLabel('Last name').fill('Editor');
      await register.getByLabel('Password', { exact: true }).fill('a long enough password');
      await register.getByLabel('Password again').fill('not the same password');
      await Promise.all([erin.waitForNavigation(), register.locator('button[type=submit]').click()]);
      await at(erin, 'invitation-error', 'Registering: errors tied to their fields');
      const again = erin.locator('form[action$="/register"]');
      await again.getByLabel('Password', { exact: true }).fill('a long enough password');
      await again.getByLabel('Password again').fill('a long enough password');
      await Promise.all([erin.waitForNavigation(), again.locator('button[type=submit]').click()]);
      await at(erin, 'invite-accepted', 'Invitation accepted: in Acme with only what was granted');
      await open(erin, '/services', 'denied-invitee', 'A page that was not granted', 403);
      await open(
        erin,
        invitation.replace(/[^/]+$/, 'no-such-token'),
        'invitation-invalid',
        'An invitation link that is not valid',
        404,
      );
      // Alice takes the access away: Erin's next click lands on the chooser, with nothing to choose.
      await alice.goto('/account/users');
      await Promise.all([
        alice.waitForNavigation(),
        alice.locator('tr', { hasText: newcomer }).locator('a[href$="/remove"]').click(),
      ]);
      await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Yes, remove access' }).click()]);
      await at(alice, 'removed', 'User Management after Remove Access');
      await erin.goto('/tickets');
      await at(erin, 'access-ended', 'Access removed: the next click lands on the chooser');
    }

    // Dana (dev): the chooser after sign-in, and a page her access to Blue Fish does not include.
    const dev = await person();
    await signIn(dev, 'dev@example.com');
    await at(dev, 'chooser', 'Choose an account after sign-in');
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: /Blue Fish Bakery/ }).click()]);
    await open(dev, '/invoices', 'denied', 'Page refused: permission missing', 403);
    await dev.goto('/tickets');
    await openAccountMenu(dev);
    await at(
      dev,
      'switch-menu',
      'Account menu of a person in several accounts: recent accounts as one-click switches, and a search',
    );
    await open(dev, '/account/switch', 'switch-account', 'Switch Account');
    await open(dev, '/account/ownership/offers', 'ownership-offers', 'Ownership offers: accept or decline');
    await open(dev, '/account/leave', 'leave', 'Leave an account: the confirmation');

    // Bob accepts with the login he has.
    if (bobInvitation) {
      const bob = await person();
      await signIn(bob, 'bob@example.com');
      await open(bob, '/account/invitations', 'invitations', 'Invitations: his own, each with Accept and Decline');
      await open(bob, bobInvitation, 'invitation-signed-in', 'Invitation, signed in: accept with one click');
    }

    // The hosting company's admin area.
    const admin = await person();
    await open(admin, '/admin/login', 'admin-login', 'Admin sign-in');
    await adminSignIn(admin);
    await at(admin, 'admin-home', 'Admin home');
    await open(admin, '/admin/modules', 'admin-modules', 'Modules page');
    await open(admin, '/admin/modules/account_users/settings', 'admin-settings', 'Module settings');
    await admin.getByLabel('Invitation lifetime (days)').fill('0');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Save settings' }).click()]);
    await at(admin, 'admin-settings-error', 'Module settings: an error tied to its field');
    await open(admin, '/admin/outbox', 'admin-outbox', 'Outbox');
    await admin.goto('/admin/outbox');
    await Promise.all([admin.waitForNavigation(), admin.locator('table a').first().click()]);
    await at(admin, 'admin-mail', 'Outbox: one e-mail');
    if (
      await open(
        admin,
        '/admin/modules/account_users',
        'admin-module',
        'Account Users admin: find a user or an account',
      )
    ) {
      const base = '/admin/modules/account_users';
      await open(admin, `${base}/users?q=dev`, 'admin-users', 'Admin: users found');
      await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Dana Developer' }).click()]);
      await at(admin, 'admin-user', 'Admin: a user and every account they can open');
      await Promise.all([
        admin.waitForNavigation(),
        admin.getByRole('link', { name: 'Activity log of this user' }).click(),
      ]);
      await at(admin, 'admin-user-log', "Admin: a user's activity log");
      await open(admin, `${base}/accounts?q=a`, 'admin-accounts', 'Admin: accounts found');
      await Promise.all([
        admin.waitForNavigation(),
        admin.getByRole('link', { name: 'Acme Web Studio' }).first().click(),
      ]);
      await at(admin, 'admin-account', 'Admin: an account with its users, invitations and forms');
      const dana = admin.locator('tr', { hasText: 'dev@example.com' });
      const ownerHref = await dana.locator('a[href$="/owner"]').getAttribute('href');
      const removeHref = await dana.locator('a[href$="/remove"]').getAttribute('href');
      const permissionsHref = await dana.locator('a[href$="/permissions"]').getAttribute('href');
      const cancel = admin.locator('a[href$="/cancel"]').first();
      const cancelHref = (await cancel.count()) ? await cancel.getAttribute('href') : null;
      await admin.locator('form[action$="/users"] input[name=email]').fill('nobody@example.com');
      await Promise.all([
        admin.waitForNavigation(),
        admin.locator('form[action$="/users"] button[type=submit]').click(),
      ]);
      await at(admin, 'admin-add-error', 'Admin: giving access to an unknown address is refused');
      await open(admin, ownerHref!, 'admin-make-owner', 'Admin: Make Owner, the confirmation');
      await open(admin, removeHref!, 'admin-remove', 'Admin: Remove Access, the confirmation');
      await open(admin, permissionsHref!, 'admin-permissions', "Admin: Manage Permissions of an account's user");
      if (cancelHref)
        await open(admin, cancelHref, 'admin-invite-cancel', 'Admin: cancel an invitation, the confirmation');
      await admin.goto(ownerHref!.replace(/\/users\/\d+\/owner$/, '/log'));
      await at(admin, 'admin-account-log', "Admin: an account's activity log with filters");
      await admin.locator('main input[name=from]').fill('2026-12-31');
      await admin.locator('main input[name=to]').fill('2026-01-01');
      await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Filter' }).click()]);
      await at(admin, 'admin-log-error', 'Admin: an invalid log filter');
    }

    // Pages that are not there, and the portal with the module switched off.
    await open(alice, '/no-such-page', 'not-found', 'Page not found', 404);
    await admin.goto('/admin/modules');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Deactivate' }).click()]);
    await at(admin, 'admin-deactivate-confirm', 'Modules page: Deactivate asks first and says who loses access');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Yes, deactivate' }).click()]);
    await at(admin, 'admin-modules-inactive', 'Modules page: Account Users deactivated');
    const devOff = await person();
    await signIn(devOff, 'dev@example.com');
    await at(devOff, 'no-account', 'Module off: a login that owns no account');
    await open(
      admin,
      '/admin/modules/uninstall',
      'admin-uninstall-confirm',
      'Modules page: Uninstall asks first and says what is deleted',
    );
    await admin.goto('/admin/modules');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Activate' }).click()]);
  } finally {
    for (const c of contexts) await c.close();
  }
  return result;
}
