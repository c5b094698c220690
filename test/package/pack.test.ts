import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import request from 'supertest';
import { backend } from '../helpers/db';
import { encodeForm } from '../helpers/portal';
import { installProject, packTarball, ROOT, type Project, type Tarball } from './packed';

const HOST = path.join(__dirname, 'minimal-host.js');
const SIZE_LIMIT = 400 * 1024;
const ALLOWED = new RegExp(
  `^(${[
    /dist\/(module|migrations)\/.+\.(js|d\.ts)|dist\/hooks\.(js|d\.ts)/.source,
    /views\/.+\.(ejs|css|js)|lang\/[\w-]+\.json/.source,
    /module\.json|package\.json|README\.md|LICENSE|CHANGELOG\.md/.source,
  ].join('|')})$`,
);

/** The environment of a child that must run on plain node: no npm settings, no preloaded loader. */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'NODE_OPTIONS'),
  );
  return { ...env, ...extra };
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

describe('The packed package, installed into an empty project', function () {
  this.timeout(300_000);
  let tarball: Tarball;
  let project: Project;

  before(function () {
    tarball = packTarball();
    project = installProject(tarball);
    const hostLines = fs
      .readFileSync(HOST, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('//')).length;
    const install = project.installMs ? `${(project.installMs / 1000).toFixed(1)} s` : 'reused from an earlier run';
    console.log(
      `      tarball ${(tarball.size / 1000).toFixed(1)} kB, ${tarball.files.length} files; ` +
        `npm install ${install}; minimal host ${hostLines} lines of code`,
    );
  });

  it('holds only what a host needs, under 400 kB', () => {
    assert.ok(tarball.size < SIZE_LIMIT, `tarball is ${tarball.size} bytes`);
    const stray = tarball.files.filter((f) => !ALLOWED.test(f));
    assert.deepEqual(stray, [], 'files a host does not need');
    for (const needed of [
      'dist/module/index.js',
      'dist/module/index.d.ts',
      'dist/hooks.js',
      'dist/migrations/index.js',
      'module.json',
      'LICENSE',
      'CHANGELOG.md',
      'README.md',
    ]) {
      assert.ok(tarball.files.includes(needed), `${needed} is missing`);
    }
    // Every view and language file, and exactly one module.json (the build keeps no copy).
    for (const f of [...filesUnder('views'), ...filesUnder('lang')])
      assert.ok(tarball.files.includes(f), `${f} is missing`);
    assert.deepEqual(
      tarball.files.filter((f) => f.endsWith('module.json')),
      ['module.json'],
    );
  });

  it("installs next to express, knex and express-session: one copy each, no install script but SQLite's", () => {
    const pkgDir = path.join(project.dir, 'node_modules', 'account-users');
    for (const peer of ['express', 'knex', 'express-session']) {
      assert.ok(!fs.existsSync(path.join(pkgDir, 'node_modules', peer)), `a second ${peer} inside the package`);
    }
    const lock = JSON.parse(fs.readFileSync(path.join(project.dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const scripted = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([name]) => name);
    assert.deepEqual(scripted, ['node_modules/better-sqlite3']);
    for (const absent of ['tsx', 'typescript'])
      assert.ok(!fs.existsSync(path.join(project.dir, 'node_modules', absent)), `${absent} was installed`);
  });

  it('loads by its name with plain node, from the compiled build, by require and by import', () => {
    const script = [
      "const m = require('account-users');",
      "console.log(JSON.stringify({ entry: require.resolve('account-users'), createModule: typeof m.createModule,",
      "version: m.manifest.version, ts: '.ts' in require.extensions }));",
    ].join(' ');
    const run = spawnSync(process.execPath, ['-e', script], { cwd: project.dir, env: plainEnv(), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { entry: string; createModule: string; version: string; ts: boolean };
    assert.equal(out.entry, path.join(project.dir, 'node_modules', 'account-users', 'dist', 'module', 'index.js'));
    assert.equal(out.createModule, 'function');
    assert.equal(
      out.version,
      (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
    assert.equal(out.ts, false);
    // An ES module host imports the same names from the CommonJS build.
    const esm = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createModule, manifest } from 'account-users'; console.log(typeof createModule, manifest.id);`,
      ],
      { cwd: project.dir, env: plainEnv(), encoding: 'utf8' },
    );
    assert.equal(esm.status, 0, esm.stderr);
    assert.equal(esm.stdout.trim(), 'function account_users');
  });

  describe(`mounted by a minimal host of its own (${backend})`, () => {
    let child: ChildProcess | undefined;
    let base = '';
    let mailFile = '';
    let hostFile = '';
    let dropDatabase = async () => {};

    before(async function () {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'account-users-minimal-'));
      mailFile = path.join(tmp, 'mail.jsonl');
      let databaseUrl = `sqlite:${path.join(tmp, 'portal.sqlite')}`;
      if (backend === 'mysql') {
        const server = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
        const name = `account_users_pack_${process.pid}`;
        const run = async (sql: string) => {
          const conn = await mysql.createConnection({ uri: server });
          await conn.query(sql);
          await conn.end();
        };
        await run(`DROP DATABASE IF EXISTS \`${name}\``);
        await run(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        dropDatabase = () => run(`DROP DATABASE IF EXISTS \`${name}\``);
        databaseUrl = `${server.replace(/\/+$/, '')}/${name}`;
      }
      // A file of its own: an earlier run's project may be shared with another test process.
      hostFile = path.join(project.dir, `minimal-host-${process.pid}.js`);
      fs.copyFileSync(HOST, hostFile);
      const started = spawn(process.execPath, [hostFile], {
        cwd: project.dir,
        env: plainEnv({ DATABASE_URL: databaseUrl, MAIL_FILE: mailFile, PORT: '0' }),
      });
      child = started;
      let output = '';
      base = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the minimal host did not start:\n${output}`)), 60_000);
        started.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const port = /listening on (\d+)/.exec(output)?.[1];
          if (port) {
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${port}`);
          }
        });
        started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        started.on('exit', (code) => reject(new Error(`the minimal host exited (${code}):\n${output}`)));
      });
    });

    after(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.on('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (hostFile) fs.rmSync(hostFile, { force: true });
      await dropDatabase();
    });

    /** A browser: keeps the cookie and the form token of the last page with a form. */
    function browser() {
      const agent = request.agent(base);
      let csrf = '';
      // Forms are bound to the account they were shown for: keep that too, as the page carries it.
      let accountId = '';
      const keep = (res: request.Response) => {
        csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? csrf;
        accountId = /name="accountId" value="([^"]+)"/.exec(res.text)?.[1] ?? accountId;
        return res;
      };
      return {
        get: async (p: string) => keep(await agent.get(p)),
        post: async (p: string, fields: Record<string, string | string[]> = {}) =>
          keep(
            await agent
              .post(p)
              .type('form')
              .send(encodeForm({ _csrf: csrf, ...(accountId ? { accountId } : {}), ...fields })),
          ),
      };
    }

    function mailTo(address: string): { subject: string; text: string } {
      const mails = fs
        .readFileSync(mailFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { to: string; subject: string; text: string });
      const mail = mails.reverse().find((m) => m.to === address);
      assert.ok(mail, `no mail to ${address}`);
      return mail;
    }

    it('owner: sign in → User Management → invite → register from mail → guard → narrow → chooser/switch', async () => {
      const owner = browser();
      // Two accounts: the sign-in ends on the chooser, which lists both.
      let res = await owner.post('/login', { username: 'olivia@example.test', password: 'owner-password-1' });
      assert.equal(res.status, 303);
      assert.match(res.headers.location, /^\/account\/switch/);
      res = await owner.get(res.headers.location);
      assert.equal(res.status, 200);
      assert.match(res.text, /Acme Hosting/);
      assert.match(res.text, /Beta Labs/);
      res = await owner.post('/account/switch', { accountId: '1' });
      assert.equal(res.status, 303);

      res = await owner.get('/account/users');
      assert.equal(res.status, 200);
      assert.match(res.text, /<h1>User Management<\/h1>/);

      res = await owner.post('/account/users/invite', {
        email: 'bob@example.test',
        access: 'choose',
        permissions: ['invoices', 'tickets'],
      });
      assert.equal(res.status, 303);
      const link = /https:\/\/portal\.example\.test(\/account\/invite\/\S+)/.exec(mailTo('bob@example.test').text)?.[1];
      assert.ok(link, 'the invitation mail has no link');

      const bob = browser();
      res = await bob.get(link);
      assert.equal(res.status, 200);
      assert.match(res.text, /Acme Hosting/);
      res = await bob.post(`${link}/register`, {
        firstName: 'Bob',
        lastName: 'Builder',
        password: 'bob-password-123',
        passwordConfirm: 'bob-password-123',
      });
      assert.equal(res.status, 303);
      res = await bob.get('/');
      assert.equal(res.status, 200);
      assert.match(res.text, /Acme Hosting/);
      assert.equal((await bob.get('/invoices')).status, 200);
      assert.equal((await bob.get('/tickets')).status, 200);
      res = await bob.get('/account/users');
      assert.equal(res.status, 403, 'only the owner manages users');

      // The owner narrows Bob's access to tickets: invoices close at once.
      res = await owner.get('/account/users');
      const bobId = /\/account\/users\/(\d+)\/permissions/.exec(res.text)?.[1];
      assert.ok(bobId, 'Bob is not listed');
      res = await owner.post(`/account/users/${bobId}/permissions`, { access: 'choose', permissions: ['tickets'] });
      assert.equal(res.status, 303);
      res = await bob.get('/invoices');
      assert.equal(res.status, 403);
      assert.match(res.text, /Olivia Owner/, 'the refusal names the owner to ask');
      assert.equal((await bob.get('/tickets')).status, 200);

      // The owner switches to her other account: its pages and users are Beta's.
      res = await owner.get('/account/switch');
      assert.equal(res.status, 200);
      res = await owner.post('/account/switch', { accountId: '2' });
      assert.equal(res.status, 303);
      assert.match((await owner.get('/')).text, /Beta Labs/);
      res = await owner.get('/account/users');
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.text, /bob@example\.test/);
    });
  });
});
