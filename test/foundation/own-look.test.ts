import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { adminWorld, BASE as ADMIN_BASE, type AdminWorld } from '../admin/helpers';

const VIEWS = path.join(__dirname, '..', '..', 'views');
const STYLESHEET = fs.readFileSync(path.join(VIEWS, 'account-users.css'), 'utf8');

/** The page views (not the e-mails, which carry inline styles for mail clients). */
function pageViews(): string[] {
  return ['client', 'admin', 'partials'].flatMap((dir) =>
    fs
      .readdirSync(path.join(VIEWS, dir))
      .filter((f) => f.endsWith('.ejs'))
      .map((f) => path.join(dir, f)),
  );
}

/** Every class name a view can put on an element: plain words, and quoted words inside EJS tags. */
function classesOf(source: string): string[] {
  const names: string[] = [];
  for (const [, value] of source.matchAll(/class="([^"]*)"/g)) {
    for (const part of value.split(/(<%[\s\S]*?%>)/)) {
      if (part.startsWith('<%'))
        for (const [, quoted] of part.matchAll(/'([^']*)'/g)) names.push(...quoted.split(/\s+/).filter(Boolean));
      else names.push(...part.split(/\s+/).filter(Boolean));
    }
  }
  return names;
}

function definedInStylesheet(name: string): boolean {
  return new RegExp(`\\.${name}(?![\\w-])`).test(STYLESHEET);
}

/** The selectors of every rule, comments and at-rule heads left out. */
function selectors(css: string): string[] {
  const plain = css.replace(/\/\*[\s\S]*?\*\//g, '');
  return [...plain.matchAll(/([^{}]+)\{[^{}]*\}/g)]
    .flatMap((m) => splitList(m[1]))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Splits a selector list at its top-level commas (not those inside :where(…) or :not(…)). */
function splitList(list: string): string[] {
  const parts = [''];
  let depth = 0;
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) parts.push('');
    else parts[parts.length - 1] += ch;
  }
  return parts;
}

describe("the module's own look", () => {
  it('every class in the page views carries the au- prefix and is defined in account-users.css', () => {
    const problems: string[] = [];
    for (const view of pageViews()) {
      const names = classesOf(fs.readFileSync(path.join(VIEWS, view), 'utf8'));
      for (const name of names) {
        if (!name.startsWith('au-')) problems.push(`${view}: class "${name}" has no au- prefix`);
        else if (!definedInStylesheet(name)) problems.push(`${view}: class "${name}" is not in account-users.css`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every rule of the stylesheet is scoped to the module: no bare element, no host class', () => {
    const unscoped = selectors(STYLESHEET).filter((s) => !/^\.au-[\w-]+/.test(s));
    assert.deepEqual(unscoped, []);
  });

  describe('served and linked by the module on its pages', () => {
    let tp: TestPortal;
    let w: AdminWorld;
    let alice: Client;
    let staff: Client;
    before(async () => {
      tp = await setupPortal();
      w = await adminWorld(tp);
      alice = await tp.login(w.alice.email);
      await alice.refreshCsrf('/account/users');
      staff = await tp.staffLogin(w.admin.email);
    });
    after(() => tp.close());

    async function assertStylesheet(client: Client, url: string): Promise<void> {
      const res = await client.get(url);
      assert.equal(res.status, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/css/, url);
      assert.equal(res.text, STYLESHEET, url);
    }

    /** The page's body sits in the .au-page wrapper, whose stylesheet link answers with the stylesheet. */
    async function assertStyledPage(client: Client, url: string): Promise<void> {
      const page = await client.get(url);
      assert.equal(page.status, 200, url);
      const wrapper = /<div class="au-page"><link rel="stylesheet" href="([^"]+)">/.exec(page.text);
      assert.ok(wrapper, `${url} is wrapped in .au-page with its stylesheet`);
      await assertStylesheet(client, wrapper[1]);
    }

    it('the stylesheet answers 200 text/css from the client and the admin mount', async () => {
      await assertStylesheet(alice, '/account/account-users.css');
      await assertStylesheet(staff, `${ADMIN_BASE}/account-users.css`);
    });

    it('client, invitation and admin pages link it from their own body', async () => {
      await assertStyledPage(alice, '/account/users');
      await assertStyledPage(alice, `/account/users/${w.dev.id}/permissions`);
      await assertStyledPage(alice, '/account/switch');
      const link = await tp.f.invite(w.acme.id, { email: 'newcomer@example.test' });
      await assertStyledPage(tp.anonymous(), link.path);
      await assertStyledPage(staff, `${ADMIN_BASE}/`);
      await assertStyledPage(staff, `${ADMIN_BASE}/accounts/${w.acme.id}`);
    });

    it("without the host's layout, the module's own layout shows the page and messages in the wrapper", async () => {
      const host = tp.portal.accountUsers.services.ctx.host as { renderPage?: unknown };
      const hostLayout = host.renderPage;
      host.renderPage = undefined;
      try {
        const saved = await alice.post(`/account/users/${w.dev.id}/permissions`, { access: 'all' });
        assert.equal(saved.status, 303);
        const page = await alice.get('/account/users');
        assert.match(page.text, /<body class="au-standalone">/);
        assert.match(page.text, /<div class="au-page">\s*<div class="au-alert au-alert-(success|info)" role="status">/);
        await assertStyledPage(alice, '/account/users');
      } finally {
        host.renderPage = hostLayout;
      }
    });

    it("the reference portal's layout no longer links the module's stylesheet itself", async () => {
      const home = await alice.get('/');
      assert.doesNotMatch(home.text, /account-users\.css/);
    });
  });
});
