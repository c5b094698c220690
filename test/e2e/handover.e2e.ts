import assert from 'node:assert/strict';
import { adminSignIn, DEMO_PASSWORD, openAccountMenu } from './browser';
import { linkIn } from './portal';
import { usePages, useSuite } from './setup';

describe('Hand over ownership: alice hands Acme to Dana, who accepts', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const { page, person } = usePages(suite);

  it('alice offers Acme to Dana with her password; Dana accepts from the e-mail; the owner moves', async () => {
    const alice = await person('alice@example.com');
    await alice.goto('/account/users');
    await Promise.all([
      alice.waitForNavigation(),
      alice.getByRole('link', { name: 'Hand over Dana Developer' }).click(),
    ]);
    assert.equal(await alice.locator('h1').textContent(), 'Hand over ownership');
    await alice.getByText('Offer ownership of Acme Web Studio to Dana Developer (dev@example.com)?').waitFor();

    // A wrong password: the form again, the error tied to the field, nothing offered.
    await alice.getByLabel('Your password').fill('not the password');
    await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Offer ownership' }).click()]);
    await alice.getByText('That is not your password. Nothing was changed.').first().waitFor();
    assert.equal(await alice.getByLabel('Your password').getAttribute('aria-invalid'), 'true');

    const since = suite.portal.mails().length;
    await alice.getByLabel('Your password').fill(DEMO_PASSWORD);
    await Promise.all([alice.waitForNavigation(), alice.getByRole('button', { name: 'Offer ownership' }).click()]);
    await alice.getByText('Ownership of Acme Web Studio offered to Dana Developer.').waitFor();
    await alice.getByText('You offered ownership of this account to Dana Developer').waitFor();

    // Dana, on a phone, follows the e-mailed link; the account menu counts the offer too.
    const mail = await suite.portal.waitForMail('dev@example.com', since);
    assert.equal(mail.subject, 'Alice Archer offers you ownership of Acme Web Studio');
    const link = linkIn(mail, suite.portal.url, '/ownership/offers');
    const dana = await person('dev@example.com', 'phone');
    await Promise.all([dana.waitForNavigation(), dana.getByRole('button', { name: /Acme Web Studio/ }).click()]);
    await openAccountMenu(dana);
    assert.match((await dana.locator('details.accountmenu').textContent()) ?? '', /Ownership offers\s*1/);
    await dana.goto(link);
    await dana.getByText('Alice Archer offers to make you the owner of Acme Web Studio.').waitFor();
    await Promise.all([
      dana.waitForNavigation(),
      dana.getByRole('button', { name: 'Accept and become owner Acme Web Studio' }).click(),
    ]);
    await dana.getByText('You are now the owner of Acme Web Studio.').waitFor();
    assert.match(
      (await dana.locator('tr', { hasText: 'dev@example.com' }).textContent()) ?? '',
      /Owner/,
      'Dana is the owner on User Management',
    );
    assert.doesNotMatch(
      (await dana.locator('tr', { hasText: 'alice@example.com' }).textContent()) ?? '',
      /Owner/,
      'alice is a user now',
    );

    // Alice is told, and no longer manages the account's users.
    const told = await suite.portal.waitForMail('alice@example.com', since + 2);
    assert.equal(told.subject, 'Dana Developer is now the owner of Acme Web Studio');
    const response = await alice.goto('/account/users');
    assert.equal(response?.status(), 403);
    await alice.goto('/');
    await openAccountMenu(alice);
    assert.doesNotMatch((await alice.locator('details.accountmenu').textContent()) ?? '', /User Management/);
  });

  it("the portal's primary user follows: with the module off, Acme opens for Dana, not alice", async () => {
    const admin = await page();
    await adminSignIn(admin);
    await admin.goto('/admin/modules');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'Deactivate' }).click()]);
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Yes, deactivate' }).click()]);
    assert.equal(await admin.locator('strong.status').textContent(), 'Deactivated');
    // Without the module each account opens only for its primary user, which the hand-over moved.
    const dana = await person('dev@example.com');
    assert.equal(new URL(dana.url()).pathname, '/');
    assert.equal((await dana.locator('.accountmenu .account-name').textContent())?.trim(), 'Acme Web Studio');
    const alice = await person('alice@example.com');
    assert.equal(new URL(alice.url()).pathname, '/no-account');
    await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: 'Activate' }).click()]);
    assert.equal(await admin.locator('strong.status').textContent(), 'Active');
  });
});
