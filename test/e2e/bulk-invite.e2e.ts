import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { axeViolations, describeViolations, newContext, signIn, type ViewportName } from './browser';
import { useSuite } from './setup';

describe('Inviting several people at once', function () {
  this.timeout(120_000);
  const suite = useSuite();
  const contexts: BrowserContext[] = [];
  after(async () => {
    for (const c of contexts) await c.close();
  });

  for (const viewport of ['desktop', 'phone'] as ViewportName[]) {
    it(`the owner pastes three addresses and sees a result for each (${viewport})`, async () => {
      const context = await newContext(suite.browser, suite.portal.url, viewport);
      contexts.push(context);
      const page = await context.newPage();
      await signIn(page, 'alice@example.com');
      await page.goto('/account/users#invite');
      const field = page.getByLabel('E-mail addresses');
      assert.match((await field.getAttribute('aria-describedby')) ?? '', /invite-email-help/);
      // A column pasted from a spreadsheet: the single-line field turns its line breaks into spaces.
      await field.focus();
      await page.keyboard.insertText(`${viewport}-one@example.org\n${viewport}-two@example.org\nnot-an-address`);
      assert.equal(
        await field.inputValue(),
        `${viewport}-one@example.org ${viewport}-two@example.org not-an-address`,
        'the pasted lines arrive separated',
      );
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send Invite' }).click()]);

      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Invitation results');
      await page.getByText('Invited: 2 of 3 addresses, with access to: All permissions.').waitFor();
      const table = page.getByRole('table', { name: 'Invitation results' });
      const rows = table.locator('tbody tr');
      assert.equal(await rows.count(), 3);
      for (const [address, result] of [
        [`${viewport}-one@example.org`, 'Invitation sent'],
        [`${viewport}-two@example.org`, 'Invitation sent'],
        ['not-an-address', 'Not a valid e-mail address'],
      ]) {
        const row = rows.filter({ has: page.getByRole('rowheader', { name: address, exact: true }) });
        assert.match((await row.textContent()) ?? '', new RegExp(result), address);
      }
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], describeViolations(`results (${viewport})`, violations));
      // Nothing of the table lies outside the screen.
      const overflow = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll('main tbody th, main tbody td'))
          .map((el) => el.getBoundingClientRect())
          .filter((r) => r.width > 0 && (r.left < -0.5 || r.right > width + 0.5)).length;
      });
      assert.equal(overflow, 0, 'every cell is on screen');

      // Sent again, the two addresses are already invited and each row offers Resend.
      await page.getByRole('link', { name: 'Invite more people' }).click();
      await field.fill(`${viewport}-one@example.org ${viewport}-two@example.org`);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send Invite' }).click()]);
      assert.equal(await rows.count(), 2);
      assert.equal(await table.getByRole('button', { name: /^Resend / }).count(), 2);
      await Promise.all([
        page.waitForNavigation(),
        table.getByRole('button', { name: `Resend ${viewport}-one@example.org` }).click(),
      ]);
      assert.ok(page.url().endsWith('/account/users'), page.url());
      await page.getByText(`An invitation was sent to ${viewport}-one@example.org less than a minute ago`).waitFor();
    });
  }
});
