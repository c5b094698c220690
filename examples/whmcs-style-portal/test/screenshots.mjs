// Part of `npm run screenshots`: User Management inside the WHMCS-style portal's Bootstrap layout,
// on a desktop (1280x800) and a phone (390x844), from the packed module on fresh demo data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Browser } from './browser.mjs';
import { installExample, packModule, repoDir, startPortal } from './install.mjs';

const OUT = path.join(repoDir, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'whmcs-portal-shots-'));
const portal = await startPortal(installExample(work, packModule(work).file), {
  DATABASE_URL: `sqlite:${path.join(work, 'portal.sqlite')}`,
  MAIL_DIR: path.join(work, 'mail'),
});
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  // The staff switch the module on, and the owner has one person invited to show.
  const staff = new Browser(portal.baseUrl);
  await staff.submit((await staff.get('/admin/login')).html, '/admin/login', {
    username: 'admin',
    password: 'demo-password',
  });
  await staff.submit((await staff.get('/admin/modules')).html, '/admin/modules/account_users/activate');
  const context = await browser.newContext({
    baseURL: portal.baseUrl,
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email Address').fill('carla@example.com');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Login' }).click();
  await page.goto('/account/users');
  await page
    .getByRole('textbox', { name: /e-mail/i })
    .first()
    .fill('dana@example.com');
  await page.locator('form[action$="/users/invite"] button[type="submit"]').click();
  await page.goto('/account/users');
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    const file = path.join(OUT, `second-portal-user-management.${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${path.relative(process.cwd(), file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
  }
} finally {
  await browser.close();
  await portal.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
