import assert from 'node:assert/strict';
import { VIEWPORTS, axeViolations, describeViolations, untiedErrors, type ViewportName } from './browser';
import { useSuite } from './setup';
import { allPages, notVisited } from './pages';
import { tour } from './tour';

describe('Accessibility: axe-core on every page, desktop and phone', function () {
  this.timeout(300_000);
  const suite = useSuite();

  it('finds no serious or critical violation, no sideways scroll on a phone, no error tied to no field', async () => {
    const problems: string[] = [];
    const checked: string[] = [];
    const paths: string[] = [];
    const result = await tour(suite.browser, suite.portal, async (stop, page) => {
      for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
        await page.setViewportSize(VIEWPORTS[viewport]);
        const where = `${stop.name} (${viewport}, ${new URL(page.url()).pathname})`;
        const found = await axeViolations(page);
        if (found.length) problems.push(describeViolations(where, found));
        // The page itself never scrolls sideways; wide tables scroll inside their own box.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        if (overflow > 0) problems.push(`${where}: the page is ${overflow}px wider than the screen`);
        checked.push(where);
      }
      paths.push(new URL(page.url()).pathname);
      for (const problem of await untiedErrors(page)) problems.push(`${stop.name}: ${problem}`);
      await page.setViewportSize(VIEWPORTS.desktop);
    });
    console.log(`      axe checked ${checked.length} page views: ${result.visited.map((s) => s.name).join(', ')}`);
    assert.deepEqual(result.missing, [], 'every page of the tour exists');
    // A page the tour never opens is never checked: name it, so a new page cannot slip past.
    const untoured = notVisited(await allPages(), paths);
    if (untoured.length) console.log(`      pages the tour did not visit: ${untoured.join(', ')}`);
    assert.deepEqual(untoured, [], 'every page of the portal and the module is in the tour');
    assert.equal(problems.length, 0, `\n${problems.join('\n')}`);
  });
});
