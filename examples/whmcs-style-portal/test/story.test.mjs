// npm run test:second-host: the WHMCS-style example installs the packed module and plays the
// story of a hosting customer over HTTP, on SQLite and on MySQL/MariaDB when one answers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { Browser, buttonFor, text } from './browser.mjs';
import { adapterLines, installExample, lastMailTo, packModule, repoDir, startPortal } from './install.mjs';

const MAX_ADAPTER_LINES = 120;

/** A status check that shows what the person would have read instead. */
function expectStatus(page, status) {
  assert.equal(page.status, status, `${page.status} ${page.location ?? ''}: ${text(page.html).slice(0, 600)}`);
}
const mysqlUrl = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'whmcs-portal-'));
let portalDir;

async function mysqlAnswers() {
  if (process.env.TEST_BACKENDS === 'sqlite') return false;
  try {
    const conn = await mysql.createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
    await conn.end();
    return true;
  } catch (err) {
    if (process.env.REQUIRE_MYSQL === '1') throw err;
    console.log(
      `MySQL/MariaDB at ${mysqlUrl.replace(/\/\/[^@]*@/, '//***@')} does not answer ` +
        `(${err.code ?? err.message}): SQLite only.`,
    );
    return false;
  }
}

const backends = [];
if (process.env.TEST_BACKENDS !== 'mysql') backends.push('sqlite');
if (await mysqlAnswers()) backends.push('mysql');

describe('A second portal: the WHMCS-style example with the packed module', function () {
  before(function () {
    const lines = adapterLines();
    console.log(`      adapter src/account-users: ${lines} lines (at most ${MAX_ADAPTER_LINES})`);
    const tarball = packModule(work);
    if (tarball.size)
      console.log(
        `      tarball ${path.basename(tarball.file)}: ${(tarball.size / 1024).toFixed(1)} kB, ${tarball.files} files`,
      );
    const started = Date.now();
    portalDir = installExample(work, tarball.file);
    console.log(`      installed into ${portalDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it(`keeps the adapter folder at most ${MAX_ADAPTER_LINES} lines`, () => {
    assert.ok(adapterLines() <= MAX_ADAPTER_LINES, `src/account-users has ${adapterLines()} lines`);
  });

  it('loads the module from the installed package, never from the repository', () => {
    const resolved = fs.realpathSync(path.join(portalDir, 'node_modules', 'account-users'));
    assert.ok(resolved.startsWith(fs.realpathSync(portalDir)), resolved);
    const sources = fs.readdirSync(path.join(portalDir, 'src'), { recursive: true }).filter((f) => f.endsWith('.js'));
    for (const f of sources)
      assert.doesNotMatch(fs.readFileSync(path.join(portalDir, 'src', f), 'utf8'), /require\(['"](\.\.\/){2,}/, f);
  });

  it('the adapter (// @ts-check) type-checks against the packed .d.ts', () => {
    // The host contract's types come from the tarball; express's and node's from the repository.
    const types = path.join(portalDir, 'node_modules', '@types');
    fs.mkdirSync(types, { recursive: true });
    for (const name of fs.readdirSync(path.join(repoDir, 'node_modules', '@types'))) {
      if (!fs.existsSync(path.join(types, name)))
        fs.symlinkSync(path.join(repoDir, 'node_modules', '@types', name), path.join(types, name));
    }
    const options = {
      allowJs: true,
      checkJs: false,
      noEmit: true,
      module: 'node16',
      moduleResolution: 'node16',
      target: 'es2022',
      skipLibCheck: true,
      types: ['node'],
    };
    fs.writeFileSync(
      path.join(portalDir, 'tsconfig.adapter.json'),
      JSON.stringify({ compilerOptions: options, include: ['src/account-users/*.js'] }),
    );
    const tsc = spawnSync(
      process.execPath,
      [path.join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.adapter.json'],
      { cwd: portalDir, encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  for (const backend of backends) storyOn(backend);
});

function storyOn(backend) {
  describe(`the story on ${backend}`, function () {
    // Each step builds on the last: after a failure the rest of this backend's story is skipped.
    let broken = false;
    beforeEach(function () {
      if (broken) this.skip();
    });
    const mailDir = path.join(work, `mail-${backend}`);
    const database = `whmcs_example_${process.pid}`;
    let portal;
    const ids = {};
    const carla = () => new Browser(portal.baseUrl);
    let staff, owner, dana, ivan;

    before(async () => {
      let url = `sqlite:${path.join(work, `portal-${backend}.sqlite`)}`;
      if (backend === 'mysql') {
        const conn = await mysql.createConnection({ uri: mysqlUrl });
        await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await conn.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
        await conn.end();
        url = `${mysqlUrl.replace(/\/$/, '')}/${database}`;
      }
      portal = await startPortal(portalDir, { DATABASE_URL: url, MAIL_DIR: mailDir });
      staff = new Browser(portal.baseUrl);
      owner = carla();
      dana = new Browser(portal.baseUrl);
      ivan = new Browser(portal.baseUrl);
    });

    after(async () => {
      if (process.env.SHOW_PORTAL_LOG) console.log(portal?.output());
      await portal?.stop();
      if (backend === 'mysql') {
        const conn = await mysql.createConnection({ uri: mysqlUrl });
        await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await conn.end();
      }
    });

    afterEach(function () {
      if (this.currentTest?.state !== 'failed') return;
      broken = true;
      console.log(portal.output());
    });

    it('the staff activate Account Users on the Modules page', async () => {
      const login = await staff.get('/admin/login');
      expectStatus(
        await staff.submit(login.html, '/admin/login', { username: 'admin', password: 'demo-password' }),
        303,
      );
      const modules = await staff.get('/admin/modules');
      assert.match(text(modules.html), /Account Users .*Inactive/);
      const done = await staff.submit(modules.html, '/admin/modules/account_users/activate');
      expectStatus(done, 303);
      const after = await staff.get('/admin/modules');
      assert.match(text(after.html), /Account Users .*Active/);
      assert.doesNotMatch(text(after.html), /Inactive/);
    });

    it('the owner signs in with the field `username` and opens User Management', async () => {
      const signedIn = await owner.signIn('carla@example.com', 'demo-password');
      expectStatus(signedIn, 303);
      const home = await owner.open(signedIn.location);
      expectStatus(home, 200);
      assert.match(text(home.html), /Client: Harbour Hosting Ltd/);
      assert.match(home.html, /href="\/account\/users"/, "User Management in the portal's menu");
      const users = await owner.get('/account/users');
      expectStatus(users, 200);
      assert.match(text(users.html), /User Management/);
      assert.match(users.html, /bootstrap\.min\.css/, 'the module page sits in the Bootstrap layout');
    });

    it('the owner invites an address with only `invoices`; the invitee registers from the mailed link', async () => {
      const since = Date.now();
      const users = await owner.get('/account/users');
      const invited = await owner.submit(users.html, '/users/invite', {
        email: 'dana@example.com',
        access: 'choose',
        permissions: ['invoices'],
      });
      expectStatus(invited, 303);
      const mail = await lastMailTo(mailDir, 'dana@example.com', since);
      const link = /https?:\/\/\S+?\/account\/invite\/[\w-]+/.exec(mail.text)?.[0];
      assert.ok(link?.startsWith(portal.baseUrl), mail.text);
      const page = await dana.get(new URL(link).pathname);
      expectStatus(page, 200);
      assert.match(text(page.html), /Harbour Hosting Ltd/);
      const registered = await dana.submit(page.html, '/register', {
        firstName: 'Dana',
        lastName: 'Fox',
        password: 'dana-password-1',
        passwordConfirm: 'dana-password-1',
      });
      expectStatus(registered, 303);
      await dana.open(registered.location);
    });

    it('the invitee opens invoices (200) but not services (403)', async () => {
      const invoices = await dana.get('/clientarea.php?action=invoices');
      expectStatus(invoices, 200);
      assert.match(text(invoices.html), /Client: Harbour Hosting Ltd/);
      assert.match(text(invoices.html), /\$89\.90/);
      expectStatus(await dana.get('/clientarea.php?action=services'), 403);
      const home = await dana.get('/clientarea.php');
      assert.doesNotMatch(home.html, /action=services"/, 'no Services in the menu');
    });

    it('the owner narrows the invitee to `products`, and the very next requests follow', async () => {
      const users = await owner.get('/account/users');
      ids.dana = Number(/\/account\/users\/(\d+)\/permissions/.exec(users.html)?.[1]);
      assert.ok(ids.dana > 0, 'a Manage link for the invitee');
      const form = await owner.get(`/account/users/${ids.dana}/permissions`);
      const saved = await owner.submit(form.html, `/users/${ids.dana}/permissions`, {
        access: 'choose',
        permissions: ['products'],
      });
      expectStatus(saved, 303);
      expectStatus(await dana.get('/clientarea.php?action=invoices'), 403);
      const services = await dana.get('/clientarea.php?action=services');
      expectStatus(services, 200);
      assert.match(text(services.html), /shop\.harbour\.example/);
    });

    it('the owner narrows the invitee to one service: the list and the dashboard show only it', async () => {
      const form = await owner.get(`/account/users/${ids.dana}/permissions`);
      expectStatus(form, 200);
      // accounts.resources lists the client's services (tblhosting); the portal keeps no domains.
      const items = [...form.html.matchAll(/name="items_products"[^>]*value="(\d+)"[\s\S]*?<label[^>]*>([^<]*)</g)];
      assert.deepEqual(
        items.map(([, , label]) => label.trim()),
        ['Business Hosting (harbour.example)', 'VPS Medium (shop.harbour.example)'],
      );
      assert.doesNotMatch(form.html, /name="scope_domains"/, 'no choice of domains without any');
      ids.shop = Number(items[1][1]);
      const saved = await owner.submit(form.html, `/users/${ids.dana}/permissions`, {
        access: 'choose',
        permissions: ['products'],
        scope_products: 'chosen',
        items_products: [String(ids.shop)],
      });
      expectStatus(saved, 303);
      const services = await dana.get('/clientarea.php?action=services');
      expectStatus(services, 200);
      assert.match(text(services.html), /VPS Medium shop\.harbour\.example/);
      assert.doesNotMatch(text(services.html), /Business Hosting/);
      const home = await dana.get('/clientarea.php');
      assert.match(text(home.html), /Services 1 View services/, "the dashboard counts only the member's service");
      // The owner still sees every service.
      assert.match(text((await owner.get('/clientarea.php?action=services')).html), /Business Hosting/);
    });

    it('a user of both clients gets the chooser after sign-in and switches between them', async () => {
      const since = Date.now();
      const signedIn = await ivan.signIn('ivan@example.com', 'demo-password');
      expectStatus(signedIn, 303);
      const users = await ivan.open('/account/users');
      expectStatus(users, 200);
      assert.match(text(users.html), /Benutzerverwaltung/, 'WHMCS language `german` shows the module in German');
      const invited = await ivan.submit(users.html, '/users/invite', {
        email: 'dana@example.com',
        access: 'choose',
        permissions: ['products'],
      });
      expectStatus(invited, 303);
      const mail = await lastMailTo(mailDir, 'dana@example.com', since);
      const link = /https?:\/\/\S+?\/account\/invite\/[\w-]+/.exec(mail.text)?.[0];
      const page = await dana.get(new URL(link).pathname);
      assert.match(text(page.html), /Ivan Petrov/, 'an individual client is named by first and last name');
      const accepted = await dana.submit(page.html, '/accept');
      expectStatus(accepted, 303);

      await dana.submit((await dana.get('/clientarea.php')).html, '/logout');
      const again = await dana.signIn('dana@example.com', 'dana-password-1');
      assert.match(again.location, /^\/account\/switch/);
      const chooser = await dana.get(again.location);
      assert.match(text(chooser.html), /Harbour Hosting Ltd/);
      assert.match(text(chooser.html), /Ivan Petrov/);
      ids.petrov = buttonFor(chooser.html, 'accountId', 'Ivan Petrov');
      assert.ok(ids.petrov > 0, 'an Open button for Ivan Petrov');
      const chosen = await dana.submit(chooser.html, '/account/switch', { accountId: String(ids.petrov) });
      expectStatus(chosen, 303);
      const services = await dana.get('/clientarea.php?action=services');
      expectStatus(services, 200);
      assert.match(text(services.html), /petrov\.example/);
      assert.doesNotMatch(text(services.html), /harbour\.example/);
      // Switch Account in the menu carries the section (Services, which needs `products`).
      const switchLink = /href="(\/account\/switch\?[^"]*)"/.exec(services.html)?.[1].replace(/&amp;/g, '&');
      assert.equal(
        switchLink,
        '/account/switch?returnTo=%2Fclientarea.php%3Faction%3Dservices&returnPermission=products',
      );

      const switcher = await dana.get(switchLink);
      assert.match(
        text(switcher.html),
        /Harbour Hosting Ltd[^.]*?\bharbour\.example/,
        "each client's second line (accounts.describe): its first service domain",
      );
      ids.harbour = buttonFor(switcher.html, 'accountId', 'Harbour Hosting Ltd');
      const switched = await dana.submit(switcher.html, '/account/switch', { accountId: String(ids.harbour) });
      expectStatus(switched, 303);
      assert.equal(switched.location, '/clientarea.php?action=services', 'the same section in the other client');
      assert.match(text((await dana.get('/clientarea.php?action=services')).html), /shop\.harbour\.example/);
    });

    it('removal sends the user out of the client on their next request', async () => {
      const confirm = await owner.get(`/account/users/${ids.dana}/remove`);
      const removed = await owner.submit(confirm.html, `/users/${ids.dana}/remove`);
      expectStatus(removed, 303);
      const next = await dana.get('/clientarea.php?action=services');
      expectStatus(next, 302);
      assert.match(next.location, /^\/account\/switch/);
      const chooser = await dana.open(next.location);
      assert.ok(
        Number.isNaN(buttonFor(chooser.html, 'accountId', 'Harbour Hosting Ltd')),
        'Harbour is no longer offered',
      );
      assert.ok(buttonFor(chooser.html, 'accountId', 'Ivan Petrov') > 0);
    });

    it('the staff Make Owner updates tblclients.owner_user_id', async () => {
      const account = await staff.get(`/admin/addonmodules/account_users/accounts/${ids.petrov}`);
      expectStatus(account, 200);
      const confirm = await staff.get(
        `/admin/addonmodules/account_users/accounts/${ids.petrov}/users/${ids.dana}/owner`,
      );
      const made = await staff.submit(confirm.html, `/accounts/${ids.petrov}/users/${ids.dana}/owner`);
      expectStatus(made, 303);
      const clients = await staff.get('/admin/clients');
      const row = new RegExp(`data-client-id="${ids.petrov}"[\\s\\S]*?data-owner-id="(\\d+)"`).exec(clients.html);
      assert.equal(Number(row?.[1]), ids.dana);
    });

    it('a client added after activation has its owner at once', async () => {
      const form = await staff.get('/admin/clients/add');
      const added = await staff.submit(form.html, '/admin/clients/add', {
        companyname: 'Oak Media',
        firstname: 'Olaf',
        lastname: 'Berg',
        email: 'olaf@example.com',
        password: 'olaf-password-1',
      });
      expectStatus(added, 303);
      const clientId = Number(/Client #(\d+) added/.exec((await staff.get(added.location)).html)?.[1]);
      // Before Olaf ever signs in: made at creation (ClientAdd), not repaired at his first sign-in.
      const account = await staff.get(`/admin/addonmodules/account_users/accounts/${clientId}`);
      expectStatus(account, 200);
      assert.match(text(account.html), /Owner: Olaf Berg \(olaf@example\.com\)/);
      const olaf = new Browser(portal.baseUrl);
      const home = await olaf.open((await olaf.signIn('olaf@example.com', 'olaf-password-1')).location);
      expectStatus(home, 200);
      assert.match(text(home.html), /Client: Oak Media/);
      expectStatus(await olaf.get('/account/users'), 200);
    });

    it('the staff configure the module on its own settings page inside the admin layout', async () => {
      const modules = await staff.get('/admin/modules');
      const configure = /href="([^"]+)">Configure</.exec(modules.html)?.[1];
      assert.equal(configure, '/admin/addonmodules/account_users/settings');
      const settings = await staff.get(configure);
      expectStatus(settings, 200);
      assert.match(settings.html, /Harbour Portal · Admin/, "the settings page sits in the portal's admin layout");
      const refused = await staff.submit(settings.html, '/settings', { inviteLifetimeDays: '0' });
      assert.ok(refused.status >= 400 && refused.status < 500, `${refused.status}: a lifetime of 0 days is refused`);
      assert.match(refused.html, /aria-invalid="true"/);
      expectStatus(await staff.submit(settings.html, '/settings', { inviteLifetimeDays: '3' }), 303);
      assert.match((await staff.get(configure)).html, /name="inviteLifetimeDays"[^>]*value="3"/);
    });

    it("with the module off, the portal's own single-owner rules apply", async () => {
      const modules = await staff.get('/admin/modules');
      expectStatus(await staff.submit(modules.html, '/admin/modules/account_users/deactivate'), 303);
      expectStatus(await owner.get('/account/users'), 404);
      expectStatus(await owner.get('/clientarea.php?action=invoices'), 200);
      // Dana owns Ivan's client now (Make Owner above), so she alone opens it; Ivan has none.
      const services = await dana.get('/clientarea.php?action=services');
      expectStatus(services, 200);
      assert.match(text(services.html), /petrov\.example/);
      const ivanAgain = new Browser(portal.baseUrl);
      const signedIn = await ivanAgain.signIn('ivan@example.com', 'demo-password');
      assert.equal(signedIn.location, '/no-client');
      expectStatus(await ivanAgain.get('/clientarea.php'), 403);
    });
  });
}
