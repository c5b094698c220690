// `npm run screenshots`: starts the reference portal on fresh demo data, walks every page of the
// story and saves desktop (1280x800) and phone (390x844) PNGs into docs/screenshots/, with an
// index (docs/screenshots/README.md) naming each page.
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM, VIEWPORTS, launchBrowser, type ViewportName } from '../test/e2e/browser';
import { startPortal } from '../test/e2e/portal';
import { tour, type Stop } from '../test/e2e/tour';

const OUT = path.join(__dirname, '..', 'docs', 'screenshots');
/** Long pages are cut here, so each PNG stays small. */
const MAX_HEIGHT: Record<ViewportName, number> = { desktop: 1200, phone: 1800 };

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  fs.mkdirSync(OUT, { recursive: true });
  // Pictures of pages that no longer exist must not linger (other scripts' PNGs are kept).
  for (const f of fs.readdirSync(OUT)) if (/-(desktop|phone)\.png$/.test(f)) fs.rmSync(path.join(OUT, f));
  const portal = await startPortal();
  const browser = await launchBrowser();
  const stops: Stop[] = [];
  let bytes = 0;
  try {
    const result = await tour(browser, portal, async (stop, page) => {
      for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
        const size = VIEWPORTS[viewport];
        await page.setViewportSize(size);
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        const file = path.join(OUT, `${stop.name}-${viewport}.png`);
        await page.screenshot({
          path: file,
          fullPage: true,
          clip: {
            x: 0,
            y: 0,
            width: size.width,
            height: Math.min(Math.max(height, size.height), MAX_HEIGHT[viewport]),
          },
        });
        bytes += fs.statSync(file).size;
      }
      await page.setViewportSize(VIEWPORTS.desktop);
      stops.push(stop);
    });
    const rows = stops.map((s) => `| ${s.caption} | [desktop](${s.name}-desktop.png) | [phone](${s.name}-phone.png) |`);
    const others = fs.readdirSync(OUT).filter((f) => f.endsWith('.png') && !/-(desktop|phone)\.png$/.test(f));
    const more = others.length ? `\nMade by other scripts: ${others.map((f) => `[${f}](${f})`).join(', ')}.\n` : '';
    fs.writeFileSync(
      path.join(OUT, 'README.md'),
      '# Screenshots\n\n' +
        'Every page of the story, on a desktop (1280x800) and a phone (390x844), in the order a\n' +
        'visitor meets them. Regenerate with `npm run screenshots`.\n\n' +
        '| page | desktop | phone |\n|---|---|---|\n' +
        `${rows.join('\n')}\n${more}`,
    );
    console.log(
      `${stops.length * 2} screenshots of ${stops.length} pages in ${path.relative(process.cwd(), OUT)} ` +
        `(${Math.round(bytes / 1024)} KB)`,
    );
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
