import type { Browser } from 'playwright-core';
import { chromiumMissing, launchBrowser } from './browser';
import { startPortal, type RunningPortal } from './portal';

export interface Suite {
  browser: Browser;
  portal: RunningPortal;
}

/**
 * A describe block's browser and fresh portal (demo data seeded anew), or a skip with the
 * reason when Chromium is not installed here.
 */
export function useSuite(): Suite {
  const suite = {} as Suite;
  before(async function () {
    this.timeout(90_000);
    const missing = chromiumMissing();
    if (missing) {
      console.log(`  Skipping the browser tests: ${missing}`);
      return this.skip();
    }
    suite.portal = await startPortal();
    suite.browser = await launchBrowser();
  });
  after(async function () {
    this.timeout(30_000);
    await suite.browser?.close();
    await suite.portal?.stop();
  });
  return suite;
}
