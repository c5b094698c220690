// `npm run screenshots`: starts the reference portal on fresh demo data, walks every page of the
// story and saves desktop (1280x800) and phone (390x844) PNGs into docs/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM, VIEWPORTS, launchBrowser, type ViewportName } from '../test/e2e/browser';
import { startPortal } from '../test/e2e/portal';
import { tour } from '../test/e2e/tour';

const OUT = path.join(__dirname, '..', 'docs', 'screenshots');

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  fs.mkdirSync(OUT, { recursive: true });
  const portal = await startPortal();
  const browser = await launchBrowser();
  const written: string[] = [];
  try {
    const result = await tour(browser, portal, async (stop, page) => {
      for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
        await page.setViewportSize(VIEWPORTS[viewport]);
        const file = path.join(OUT, `${stop.name}-${viewport}.png`);
        await page.screenshot({ path: file, fullPage: viewport === 'phone' || stop.name.startsWith('admin-modules') });
        written.push(file);
      }
      await page.setViewportSize(VIEWPORTS.desktop);
    });
    for (const file of written) console.log(`${path.relative(process.cwd(), file)}  ${Math.round(fs.statSync(file).size / 1024)} KB`);
    if (result.missing.length) console.log(`Not in this portal (no screenshot): ${result.missing.join(', ')}`);
  } finally {
    await browser.close();
    await portal.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
