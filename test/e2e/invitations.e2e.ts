import assert from 'node:assert/strict';
import { axeViolations, describeViolations, openAccountMenu } from './browser';
import { usePages, useSuite } from './setup';

describe('A person declines an invitation from their Invitations page; the owner sees it', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const { person } = usePages(suite);

  it('Bob opens Invitations from the account menu, declines; Alice is told and sees “Declined”', async () => {
    const alice = await person('alice@example.com');
    await alice.goto('/account/users');
    const form = alice.locator('form[action$="/users/invite"]');
    await form.locator('input[name=email]').fill('bob@example.com');
    await Promise.all([alice.waitForNavigation(), form.locator('button[type=submit]').click()]);
    await alice.getByText('Invitation sent to bob@example.com').first().waitFor();

    // Bob, owner of Blue Fish Bakery, on a phone: the account menu counts the invitation.
    const bob = await person('bob@example.com', 'phone');
    await bob.goto('/');
    await openAccountMenu(bob);
    const item = bob.locator('details.accountmenu a[href="/account/invitations"]');
    assert.equal((await item.textContent())?.replace(/\s+/g, ' ').trim(), 'Invitations 1');
    await Promise.all([bob.waitForNavigation(), item.click()]);
    assert.equal(await bob.locator('h1').textContent(), 'Invitations');
    const row = bob.locator('.au-account', { hasText: 'Acme Web Studio' });
    assert.match((await row.textContent()) ?? '', /Invited by Alice Archer/);
    const violations = await axeViolations(bob);
    assert.deepEqual(violations, [], describeViolations('invitations (phone)', violations));

    const since = suite.portal.mails().length;
    await Promise.all([bob.waitForNavigation(), bob.getByRole('button', { name: 'Decline Acme Web Studio' }).click()]);
    await bob.getByText('You declined the invitation to Acme Web Studio.').waitFor();
    await bob.getByText('You have no open invitations.').waitFor();
    await openAccountMenu(bob);
    assert.equal(await bob.locator('details.accountmenu a[href="/account/invitations"]').count(), 0);

    const mail = await suite.portal.waitForMail('alice@example.com', since);
    assert.match(mail.subject, /Bob Baker declined your invitation to Acme Web Studio/);

    await alice.goto('/account/users');
    const declined = alice.locator('section[aria-labelledby="invites-declined-title"] tr', {
      hasText: 'bob@example.com',
    });
    assert.match((await declined.textContent()) ?? '', /Declined/);
    assert.equal(
      await alice
        .locator('section[aria-labelledby="invites-pending-title"] tr', { hasText: 'bob@example.com' })
        .count(),
      0,
      'no longer pending',
    );
  });
});
