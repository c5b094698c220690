import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser, newContext, signIn, type ViewportName } from './browser';
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

/**
 * Browser pages for a describe block, each in a context of its own (its own cookies), closed after
 * the block: `page` opens one signed out, `person` one signed in as the demo user with `email`.
 */
export function usePages(suite: Suite): {
  page: (viewport?: ViewportName) => Promise<Page>;
  person: (email: string, viewport?: ViewportName) => Promise<Page>;
} {
  const contexts: BrowserContext[] = [];
  after(async () => {
    for (const c of contexts) await c.close();
  });
  const page = async (viewport: ViewportName = 'desktop'): Promise<Page> => {
    const context = await newContext(suite.browser, suite.portal.url, viewport);
    contexts.push(context);
    return context.newPage();
  };
  const person = async (email: string, viewport: ViewportName = 'desktop'): Promise<Page> => {
    const p = await page(viewport);
    await signIn(p, email);
    return p;
  };
  return { page, person };
}
