import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { availableLocales } from '../../module/i18n';
import { VIEWPORTS, adminSignIn, newContext, signIn } from './browser';
import { useSuite } from './setup';

/** Picks a language with the footer's picker, as a reader would (its select has a fixed id). */
async function pickLanguage(page: Page, locale: string): Promise<void> {
  await page.locator('#language-picker').selectOption(locale);
  await Promise.all([page.waitForNavigation(), page.locator('form.language-picker button[type=submit]').click()]);
  assert.equal(await page.getAttribute('html', 'lang'), locale, `the page is in ${locale} after picking it`);
}

/**
 * What the module's tables on this page hide: every link and button in a table body, and every
 * cell with something in it, must lie inside the screen and inside the visible part of its table's
 * box; no button's text may be cut. Where the rows are cards, each value must also show the name
 * of its column.
 */
async function hiddenInTables(page: Page, cards: boolean): Promise<string[]> {
  // Plain loops only: a named function inside would be rewritten by the TypeScript loader into
  // a helper call that the page does not have.
  return page.evaluate((cards) => {
    const problems: string[] = [];
    const screenRight = document.documentElement.clientWidth;
    const wraps = Array.from(document.querySelectorAll('main .au-table-wrap'));
    if (!wraps.length) problems.push('no table on the page');
    for (const [n, wrap] of wraps.entries()) {
      const box = wrap.getBoundingClientRect();
      const left = Math.max(0, box.left + wrap.clientLeft);
      const right = Math.min(screenRight, box.left + wrap.clientLeft + wrap.clientWidth);
      const table = `table ${n + 1} (${wrap.querySelector('caption')?.textContent?.trim()})`;
      const headers = Array.from(wrap.querySelectorAll('thead th')).map((th) => (th.textContent ?? '').trim());
      for (const el of Array.from(wrap.querySelectorAll<HTMLElement>('tbody a, tbody button, tbody td, tbody th'))) {
        const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (!text) continue;
        const what = `<${el.tagName.toLowerCase()}> "${text.slice(0, 60)}"`;
        const r = el.getBoundingClientRect();
        if (r.width > 0 && (r.left < left - 0.5 || r.right > right + 0.5))
          problems.push(`${table}: ${what} is off screen`);
        if (el.tagName === 'A' || el.tagName === 'BUTTON') {
          const cell = el.closest('td, th')!.getBoundingClientRect();
          if (r.left < cell.left - 0.5 || r.right > cell.right + 0.5)
            problems.push(`${table}: ${what} sticks out of its cell`);
          if (el.scrollWidth > el.clientWidth + 1)
            problems.push(`${table}: ${what} is cut (${el.scrollWidth}px of text in ${el.clientWidth}px)`);
          continue;
        }
        // A value (not the row's name, not a row of buttons, not the "none" row) names its column on a card.
        const cell = el as HTMLTableCellElement;
        if (!cards || cell.tagName === 'TH' || cell.colSpan > 1 || cell.querySelector('a, button')) continue;
        const before = getComputedStyle(cell, '::before');
        const expected = headers[cell.cellIndex];
        if (cell.dataset.label !== expected)
          problems.push(`${table}: ${what} is labelled "${cell.dataset.label}", its column "${expected}"`);
        else if (
          !before.content ||
          before.content === 'none' ||
          before.content === 'normal' ||
          before.display === 'none'
        )
          problems.push(`${table}: ${what} shows no label`);
      }
    }
    return problems;
  }, cards);
}

/** The account menu's button in the top bar: the account's name shows whole, nothing cut off. */
async function accountNameCut(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const summary = document.querySelector('details.accountmenu > summary') as HTMLElement;
    const name = summary.querySelector('.account-name') as HTMLElement;
    const s = summary.getBoundingClientRect();
    const r = name.getBoundingClientRect();
    const problems: string[] = [];
    if (summary.scrollWidth > summary.clientWidth + 1)
      problems.push(`the account menu's text is cut (${summary.scrollWidth}px in ${summary.clientWidth}px)`);
    if (r.right > s.right + 0.5 || r.right > document.documentElement.clientWidth + 0.5)
      problems.push(`the account name "${name.textContent}" is cut off`);
    return problems;
  });
}

/** A phone and a tablet held upright (the tables are cards), a tablet on its side and a desktop (tables). */
const SIZES = { ...VIEWPORTS, tablet: { width: 768, height: 1024 }, landscape: { width: 1024, height: 768 } };

const LONG_NAME = 'Acme Web Studio Agentur für Gestaltung GmbH & Co. KG';

describe('Tables on a phone, a tablet and a desktop, in every language', function () {
  this.timeout(300_000);
  const suite = useSuite();
  const contexts: BrowserContext[] = [];
  let alice: Page;
  let admin: Page;
  const adminPages: string[] = [];
  const base = '/admin/modules/account_users';

  before(async function () {
    if (!suite.browser) return this.skip();
    const person = async () => {
      const context = await newContext(suite.browser, suite.portal.url);
      contexts.push(context);
      return context.newPage();
    };
    alice = await person();
    await signIn(alice, 'alice@example.com');
    // A long account name, as businesses have them: it must stay readable in the top bar.
    await alice.goto('/profile');
    await alice.locator('#profile-name').fill(LONG_NAME);
    await Promise.all([alice.waitForNavigation(), alice.locator('main form button[type=submit]').click()]);
    // Two invitations, one to a long address, so both tables of User Management have rows.
    for (const email of ['frank.freelancer.from.the.agency@longer-domain-name.example', 'bob@example.com']) {
      await alice.goto('/account/users');
      const since = suite.portal.mails().length;
      const form = alice.locator('form[action$="/users/invite"]');
      await form.locator('input[name=email]').fill(email);
      await form.locator('input[name=access][value=choose]').check();
      for (const key of ['invoices', 'tickets', 'domains'])
        await form.locator(`input[name=permissions][value=${key}]`).check();
      await Promise.all([alice.waitForNavigation(), form.locator('button[type=submit]').click()]);
      await suite.portal.waitForMail(email, since);
    }
    // The admin's pages with tables: Acme's account page and log, Dana's page and log, both searches.
    admin = await person();
    await adminSignIn(admin);
    await admin.goto(`${base}/accounts?q=Acme`);
    const acme = (await admin.locator('main table a[href*="/accounts/"]').first().getAttribute('href'))!;
    await admin.goto(`${base}/users?q=dev`);
    const dana = (await admin.locator('main table a[href*="/users/"]').first().getAttribute('href'))!;
    adminPages.push(acme, `${acme}/log`, dana, `${dana}/log`, `${base}/users?q=a`, `${base}/accounts?q=a`);
  });

  after(async () => {
    for (const c of contexts) await c.close();
  });

  for (const locale of availableLocales()) {
    it(`${locale}: module tables show every action and value on phone, tablet, desktop; no button cut`, async () => {
      const problems: string[] = [];
      await alice.setViewportSize(VIEWPORTS.desktop);
      await alice.goto('/account/users');
      await pickLanguage(alice, locale);
      await admin.setViewportSize(VIEWPORTS.desktop);
      await admin.goto(adminPages[0]);
      await pickLanguage(admin, locale);
      const pages: Array<[Page, string]> = [
        [alice, '/account/users'],
        [alice, '/account/activity'],
        ...adminPages.map((p): [Page, string] => [admin, p]),
      ];
      for (const [page, path] of pages) {
        await page.goto(path);
        for (const viewport of ['phone', 'tablet', 'landscape', 'desktop'] as const) {
          await page.setViewportSize(SIZES[viewport]);
          for (const p of await hiddenInTables(page, viewport === 'phone' || viewport === 'tablet'))
            problems.push(`${path} (${viewport}): ${p}`);
          if (page === alice && viewport === 'phone')
            for (const p of await accountNameCut(page)) problems.push(`${path} (${viewport}): ${p}`);
        }
      }
      assert.equal(problems.length, 0, `\n${problems.join('\n')}`);
    });
  }

  it('German desktop: "Zugriff entziehen" shows whole inside its cell', async () => {
    await alice.setViewportSize(VIEWPORTS.desktop);
    await alice.goto('/account/users');
    await pickLanguage(alice, 'de');
    const button = alice.locator('main table a[href$="/remove"]').first();
    assert.match((await button.textContent()) ?? '', /Zugriff entziehen/);
    const fits = await button.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const cell = el.closest('td')!.getBoundingClientRect();
      const wrap = el.closest('.au-table-wrap')!.getBoundingClientRect();
      return {
        text: el.scrollWidth <= el.clientWidth,
        cell: r.left >= cell.left - 0.5 && r.right <= cell.right + 0.5,
        box: r.right <= wrap.right + 0.5,
      };
    });
    assert.deepEqual(fits, { text: true, cell: true, box: true });
  });

  it("Switch Account: the current account's button names the account visibly, in every language", async () => {
    const context = await newContext(suite.browser, suite.portal.url, 'phone');
    contexts.push(context);
    const dev = await context.newPage();
    await signIn(dev, 'dev@example.com');
    await Promise.all([dev.waitForNavigation(), dev.getByRole('button', { name: /Acme Web Studio/ }).click()]);
    for (const locale of availableLocales()) {
      await dev.goto('/account/switch');
      await pickLanguage(dev, locale);
      const current = dev.locator('.au-account-current button');
      // Its text as seen: words hidden for screen readers only do not count.
      const visible = await current.evaluate((el) => {
        let text = '';
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode())
          if (!node.parentElement!.closest('.au-visually-hidden')) text += node.textContent;
        return text.replace(/\s+/g, ' ').trim();
      });
      assert.match(visible, /Acme Web Studio/, `${locale}: "${visible}" names the account`);
    }
  });
});
