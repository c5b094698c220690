// `npx tsx scripts/language-screenshots.ts`: starts the reference portal on fresh demo data, signs
// in as the demo owner, picks each language with the footer's picker and saves User Management as
// docs/screenshots/users-<locale>.png (German and French unless locales are given as arguments).
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM, launchBrowser, newContext, signIn } from '../test/e2e/browser';
import { startPortal } from '../test/e2e/portal';
import { nativeName } from '../module/i18n';

const OUT = path.join(__dirname, '..', 'docs', 'screenshots');

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  const locales = process.argv.slice(2).length ? process.argv.slice(2) : ['de', 'fr'];
  fs.mkdirSync(OUT, { recursive: true });
  const portal = await startPortal();
  const browser = await launchBrowser();
  try {
    const context = await newContext(browser, portal.url);
    const page = await context.newPage();
    await signIn(page, 'alice@example.com');
    for (const locale of locales) {
      await page.goto('/account/users');
      // The picker's label is in the page's current language; its select has a fixed id.
      await page.locator('#language-picker').selectOption(locale);
      await Promise.all([page.waitForNavigation(), page.locator('form.language-picker button[type=submit]').click()]);
      const lang = await page.getAttribute('html', 'lang');
      if (lang !== locale) throw new Error(`picked ${nativeName(locale)} but the page is in ${lang}`);
      const file = path.join(OUT, `users-${locale}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`${path.relative(process.cwd(), file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
    }
  } finally {
    await browser.close();
    await portal.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
