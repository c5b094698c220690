import assert from 'node:assert/strict';
import { backend, foundRow } from '../helpers/db';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { listedAccounts, menuForms, menuSwitches, sessionAccount, storedSession, type MenuForm } from './helpers';
import { TABLES } from '../../module/tables';
import { replaceMethod } from '../helpers/replace';

/**
 * The account menu for people who switch between many accounts: the most recent ones as
 * one-click switches, a search box, the same section after the switch, and a second line.
 */
describe(`switching from the account menu (${backend})`, () => {
  let tp: TestPortal;
  let user: { id: number; email: string };
  let client: Client;
  /** Accounts by name; the user's last login into each decides the menu's order. */
  let acc: Record<string, { id: number; ownerId: number; name: string }>;

  beforeEach(async () => {
    tp = await setupPortal();
    user = await tp.f.user({ email: 'agency@example.test', firstName: 'Agnes', lastName: 'Agency' });
    acc = {};
    // Alpha: all permissions; Beta: tickets only; Gamma: owned by the agency; the rest: all.
    const plan: Array<[string, 'all' | string[] | 'owner', number | null, string?]> = [
      ['Alpha Hosting', 'all', 9000],
      ['Beta Bakery', ['tickets'], 8000],
      ['Gamma Garage', 'owner', 7000],
      ['Delta Dental', 'all', 6000],
      ['Epsilon Events', 'all', 5000],
      ['Zeta Zoo', 'all', 4000],
      ['Eta Estates', 'all', null],
      ['Theta Closed', 'all', 9500, 'closed'],
    ];
    for (const [name, access, lastLogin, status] of plan) {
      const a = await tp.f.account({ name, status, ...(access === 'owner' ? { ownerId: user.id } : {}) });
      acc[name] = a;
      if (access === 'owner')
        await tp
          .knex(TABLES.members)
          .where({ account_id: a.id, user_id: user.id })
          .update({ last_login_at: lastLogin });
      else await tp.f.member(a.id, user.id, access, lastLogin === null ? {} : { lastLoginAt: lastLogin });
    }
    await tp.f.invoice(acc['Alpha Hosting'].id);
    client = await tp.login(user.email);
    assert.equal((await client.post('/account/switch', { accountId: String(acc['Alpha Hosting'].id) })).status, 303);
    await client.get('/');
  });
  afterEach(() => tp.close());

  /** Sends a menu form as a browser would after a click. */
  const submit = (form: MenuForm) => client.post(form.action, form.fields);
  const switchTo = (html: string, name: string) => {
    const form = menuSwitches(html).find((f) => f.label === name);
    assert.ok(form, `the menu offers ${name}`);
    return submit(form);
  };

  it('offers the five most recent other open accounts as one-click switch forms, then a search box', async () => {
    const home = await client.get('/');
    const forms = menuForms(home.text);
    // Alpha is the current one, Theta is closed, Eta was never opened and comes sixth.
    assert.deepEqual(
      forms.filter((f) => f.method === 'post').map((f) => f.label),
      ['Beta Bakery', 'Gamma Garage', 'Delta Dental', 'Epsilon Events', 'Zeta Zoo'],
    );
    for (const f of forms.filter((x) => x.method === 'post')) {
      assert.equal(f.action, '/account/switch');
      assert.ok(f.fields._csrf && f.fields._csrf === client.moduleCsrf, 'each carries the module token');
    }
    const search = forms.at(-1)!;
    assert.deepEqual(
      { method: search.method, action: search.action, input: search.input },
      { method: 'get', action: '/account/switch', input: 'q' },
    );
    assert.match(home.text, /<label for="menu-switch-search">Find an account<\/label>/);
    // The full list is still one click away, with the current account's name.
    assert.match(home.text, /<a href="\/account\/switch">Switch Account <span class="badge">Alpha Hosting<\/span>/);

    const res = await switchTo(home.text, 'Delta Dental');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    assert.equal(await sessionAccount(tp, client), acc['Delta Dental'].id);
    // The account just left is now the most recent other one.
    const next = await client.get('/');
    assert.match(next.text, /You are now working in Delta Dental/);
    assert.deepEqual(
      menuSwitches(next.text).map((f) => f.label),
      ['Alpha Hosting', 'Beta Bakery', 'Gamma Garage', 'Epsilon Events', 'Zeta Zoo'],
    );
  });

  it('refuses a menu switch without the module token, and one into an account that was closed since', async () => {
    const home = await client.get('/');
    const beta = menuSwitches(home.text).find((f) => f.label === 'Beta Bakery')!;
    assert.equal((await client.post(beta.action, { ...beta.fields, _csrf: 'forged' })).status, 403);
    await tp.knex('accounts').where('id', acc['Beta Bakery'].id).update({ status: 'closed' });
    const closed = await submit(beta);
    assert.equal(closed.status, 403);
    assert.match(closed.text, /That account is not available to you/);
    assert.equal(await sessionAccount(tp, client), acc['Alpha Hosting'].id);
  });

  it('searches from the menu without script: the box is a GET form to Switch Account', async () => {
    const tickets = await client.get('/tickets');
    const search = menuForms(tickets.text).find((f) => f.input === 'q')!;
    const query = new URLSearchParams({ ...search.fields, q: 'zeta' }).toString();
    const page = await client.get(`${search.action}?${query}`);
    assert.equal(page.status, 200);
    assert.deepEqual(listedAccounts(page.text), ['Zeta Zoo']);
    // The page keeps the section, so choosing from the search result also lands on Tickets.
    assert.match(page.text, /name="returnTo" value="\/tickets"/);
    const res = await client.post('/account/switch', {
      accountId: String(acc['Zeta Zoo'].id),
      returnTo: '/tickets',
      returnPermission: 'tickets',
    });
    assert.equal(res.headers.location, '/tickets');
  });

  describe('the same section after a switch', () => {
    it('lands on Tickets of the new account when switching from Tickets', async () => {
      const tickets = await client.get('/tickets');
      const beta = menuSwitches(tickets.text).find((f) => f.label === 'Beta Bakery')!;
      assert.equal(beta.fields.returnTo, '/tickets');
      assert.equal(beta.fields.returnPermission, 'tickets');
      const res = await submit(beta);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/tickets');
      const page = await client.get('/tickets');
      assert.equal(page.status, 200);
      assert.match(page.text, /class="account-name">Beta Bakery</);
    });

    it("returns to the section, not to the old account's record: /invoices/12 → Invoices", async () => {
      const invoiceId = (await foundRow(tp, 'invoices', { account_id: acc['Alpha Hosting'].id })).id;
      const invoice = await client.get(`/invoices/${invoiceId}`);
      assert.equal(invoice.status, 200);
      const res = await switchTo(invoice.text, 'Delta Dental');
      assert.equal(res.headers.location, '/invoices');
    });

    it('lands on the dashboard, with a word why, when the new account may not open that section', async () => {
      const domains = await client.get('/domains');
      const res = await switchTo(domains.text, 'Beta Bakery');
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/', 'checked before redirecting');
      assert.equal(await sessionAccount(tp, client), acc['Beta Bakery'].id);
      const home = await client.get('/');
      assert.match(home.text, /You are now working in Beta Bakery/);
      assert.match(home.text, /That page is not open to you in Beta Bakery, so you are on its start page/);
    });

    it('keeps User Management for an account the person owns, and not for one they do not', async () => {
      await client.post('/account/switch', { accountId: String(acc['Gamma Garage'].id) });
      const users = await client.get('/account/users');
      assert.equal(users.status, 200);
      const toAlpha = menuSwitches(users.text).find((f) => f.label === 'Alpha Hosting')!;
      assert.equal(toAlpha.fields.returnTo, '/account/users');
      assert.equal((await submit(toAlpha)).headers.location, '/');
      assert.match((await client.get('/')).text, /That page is not open to you in Alpha Hosting/);
      // Back from Alpha's dashboard to Gamma: no section there, the dashboard again.
      const again = await client.get('/');
      assert.equal((await switchTo(again.text, 'Gamma Garage')).headers.location, '/');
    });

    it("lets the page's own guard send a section the form named no permission for to the dashboard, once", async () => {
      // A hand-made or stale form: Domains without its permission, or with a wrong one.
      const tries: Array<Record<string, string>> = [
        { returnTo: '/domains' },
        { returnTo: '/domains', returnPermission: 'tickets' },
        { returnTo: '/domains', returnPermission: 'no-such-key' },
      ];
      for (const fields of tries) {
        await client.post('/account/switch', { accountId: String(acc['Alpha Hosting'].id) });
        const res = await client.post('/account/switch', { accountId: String(acc['Beta Bakery'].id), ...fields });
        assert.equal(res.headers.location, '/domains', JSON.stringify(fields));
        const arrive = await client.get('/domains');
        assert.equal(arrive.status, 302, 'not a 403 page right after the switch');
        assert.equal(arrive.headers.location, '/');
        assert.match((await client.get('/')).text, /That page is not open to you in Beta Bakery/);
        // Only right after the switch: opening Domains later is the ordinary 403.
        assert.equal((await client.get('/domains')).status, 403);
      }
      assert.equal((await storedSession(tp, client)).accountUsers?.accountId, acc['Beta Bakery'].id);
    });

    it('ignores an unsafe return address and lands on the dashboard', async () => {
      for (const returnTo of [
        '//evil.example/tickets',
        'https://evil.example/',
        '/\\evil.example',
        '/%2F%2Fevil.example',
        'javascript:alert(1)',
        '/../tickets',
      ]) {
        await client.post('/account/switch', { accountId: String(acc['Alpha Hosting'].id) });
        const res = await client.post('/account/switch', {
          accountId: String(acc['Beta Bakery'].id),
          returnTo,
          returnPermission: 'tickets',
        });
        assert.equal(res.status, 303);
        assert.equal(res.headers.location, '/', returnTo);
      }
      // Nor does the menu pass one on from the Switch Account page's own address.
      const page = await client.get(
        `/account/switch?returnTo=${encodeURIComponent('//evil.example')}&returnPermission=tickets`,
      );
      for (const form of menuForms(page.text)) {
        assert.equal(form.fields.returnTo, undefined);
        assert.equal(form.fields.returnPermission, undefined);
      }
      assert.doesNotMatch(page.text, /name="returnTo"/, "nor do the page's own forms");
    });

    it('gives the Switch Account and Leave pages no section: the dashboard', async () => {
      for (const path of ['/account/switch', '/account/leave']) {
        const page = await client.get(path);
        assert.equal(page.status, 200, path);
        const forms = menuSwitches(page.text);
        assert.ok(forms.length > 0);
        for (const form of forms) assert.equal(form.fields.returnTo, undefined, path);
      }
    });
  });

  describe('the second line of each account', () => {
    it("Switch Account and menu show the host's description: first active domain, else primary user name", async () => {
      await tp.knex('domains').insert([
        {
          account_id: acc['Beta Bakery'].id,
          name: 'old-beta.example',
          status: 'Expired',
          expires_on: '2020-01-01',
          auto_renew: false,
        },
        {
          account_id: acc['Beta Bakery'].id,
          name: 'beta-bakery.example',
          status: 'Active',
          expires_on: '2027-01-01',
          auto_renew: true,
        },
        {
          account_id: acc['Beta Bakery'].id,
          name: 'beta-shop.example',
          status: 'Active',
          expires_on: '2027-01-01',
          auto_renew: true,
        },
      ]);
      await tp
        .knex('users')
        .where('id', acc['Delta Dental'].ownerId)
        .update({ first_name: 'Dora', last_name: 'Dentist' });
      const page = await client.get('/account/switch');
      const rows = [
        ...page.text.matchAll(
          /<span class="au-account-name">([^<]*)<\/span>[\s\S]*?<span class="au-account-detail">([^<]*)<\/span>/g,
        ),
      ];
      const detail = new Map(rows.map((m) => [m[1], m[2]]));
      assert.equal(detail.get('Beta Bakery'), 'beta-bakery.example');
      assert.equal(detail.get('Delta Dental'), 'Dora Dentist');
      assert.equal(detail.get('Gamma Garage'), 'Agnes Agency');
      const menu = menuSwitches(page.text);
      assert.equal(menu.find((f) => f.label === 'Beta Bakery')?.detail, 'beta-bakery.example');
      assert.equal(menu.find((f) => f.label === 'Delta Dental')?.detail, 'Dora Dentist');
    });

    it('shows the names alone when the host has no describe, or when it fails', async () => {
      const accounts = tp.portal.accountUsers.services.ctx.host.accounts;
      const restore = replaceMethod(accounts, 'describe', undefined);
      try {
        const plain = await client.get('/account/switch');
        assert.equal(plain.status, 200);
        assert.doesNotMatch(plain.text, /au-account-detail|menu-detail/);
        accounts.describe = () => Promise.reject(new Error('host database down'));
        const failing = await client.get('/account/switch');
        assert.equal(failing.status, 200);
        assert.equal(listedAccounts(failing.text).length, 8);
        assert.doesNotMatch(failing.text, /au-account-detail/);
        accounts.describe = (ids) =>
          Promise.resolve(new Map(ids.map((id) => [id, `line\u202e one\n${'x'.repeat(300)}`])));
        const odd = await client.get('/account/switch');
        const line = /<span class="au-account-detail">([^<]*)<\/span>/.exec(odd.text)![1];
        assert.ok(!/[\u202e\n]/.test(line), 'one line, no control characters');
        assert.equal([...line].length, 120);
      } finally {
        restore();
      }
    });
  });
});
