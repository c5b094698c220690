import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inCI } from '../helpers/ci';

/** Debian's Chromium; a browser is never downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export const DEMO_PASSWORD = 'demo-password';

/**
 * Whether the browser suite can run here. Without Chromium it is skipped with a message, except
 * in CI (any non-empty CI but "false"/"0"), where a missing browser is a failure.
 */
export function chromiumMissing(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  const message = `${CHROMIUM} not found: install it with "apt-get install -y chromium" to run the browser tests.`;
  if (inCI()) throw new Error(`${message} (CI=${process.env.CI}: failing)`);
  return message;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function newContext(
  browser: Browser,
  baseURL: string,
  viewport: ViewportName = 'desktop',
): Promise<BrowserContext> {
  // bypassCSP only lets the tests inject axe-core; the module's one script file runs under the CSP anyway.
  const context = await browser.newContext({
    baseURL,
    viewport: VIEWPORTS[viewport],
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
    bypassCSP: true,
  });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

export async function adminSignIn(page: Page, email = 'admin@example.com'): Promise<void> {
  await page.goto('/admin/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Opens the account menu (a details/summary in the top bar). */
export async function openAccountMenu(page: Page): Promise<void> {
  const menu = page.locator('details.accountmenu');
  if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) await menu.locator('summary').click();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
}

const AXE = path.join(path.dirname(require.resolve('axe-core/package.json')), 'axe.min.js');

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.x A/AA and best practice). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate<{ violations: AxeViolation[] }>(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${where}: [${v.impact}] ${v.id} — ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')}: ${n.html.slice(0, 160)}`)
          .join('\n'),
    )
    .join('\n');
}

/**
 * Error messages tied to their fields: every field marked invalid points (aria-describedby) at an
 * element that exists, and every field error message is pointed at by some control or fieldset.
 */
export async function untiedErrors(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const describedIds = new Set<string>();
    for (const el of Array.from(document.querySelectorAll('[aria-describedby]'))) {
      for (const id of (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)) {
        describedIds.add(id);
        if (!document.getElementById(id)) problems.push(`${el.outerHTML.slice(0, 100)} points at missing #${id}`);
      }
    }
    for (const el of Array.from(document.querySelectorAll('[aria-invalid="true"]'))) {
      if (!el.getAttribute('aria-describedby'))
        problems.push(`invalid field without a described error: ${el.outerHTML.slice(0, 100)}`);
    }
    for (const el of Array.from(document.querySelectorAll('main .error, main .au-error'))) {
      if (!el.id || !describedIds.has(el.id))
        problems.push(`error message tied to no field: ${el.outerHTML.slice(0, 100)}`);
    }
    return problems;
  });
}
