// Packs the module from the repository and installs the tarball into a copy of the example, as a
// hosting company would: no import of the repository's source, plain `node` at run time.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(exampleDir, '..', '..');

/** Lines of the adapter folder (every file in src/account-users), the figure the project caps at 120. */
export function adapterLines() {
  const dir = path.join(exampleDir, 'src', 'account-users');
  return fs
    .readdirSync(dir)
    .reduce((sum, f) => sum + fs.readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n').length, 0);
}

/** `npm run build`, then `npm pack` of the repository without building twice (or SECOND_HOST_TARBALL, to reuse one). */
export function packModule(work) {
  if (process.env.SECOND_HOST_TARBALL) return { file: path.resolve(process.env.SECOND_HOST_TARBALL) };
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoDir, stdio: 'inherit' });
  const [info] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: repoDir,
      encoding: 'utf8',
    }),
  );
  return { file: path.join(work, info.filename), size: info.size, files: info.entryCount };
}

/**
 * A copy of the example with the tarball as its `account-users` dependency, installed from the npm
 * cache. Install scripts are skipped: better-sqlite3 gets the repository's already compiled binding.
 */
export function installExample(work, tarball) {
  const dir = path.join(work, 'portal');
  fs.cpSync(exampleDir, dir, { recursive: true, filter: (src) => !/[\\/](node_modules|data)$/.test(src) });
  const pkgFile = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const sqlite = path.join(repoDir, 'node_modules', 'better-sqlite3');
  pkg.dependencies['account-users'] = `file:${tarball}`;
  pkg.dependencies['better-sqlite3'] = JSON.parse(fs.readFileSync(path.join(sqlite, 'package.json'), 'utf8')).version;
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, stdio: 'inherit' },
  );
  fs.cpSync(path.join(sqlite, 'build'), path.join(dir, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
  return dir;
}

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the installed example with `node src/server.js`; resolves once it listens. */
export async function startPortal(dir, env) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['src/server.js'], {
    cwd: dir,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PORT: String(port),
      BASE_URL: baseUrl,
      SESSION_SECRET: 'second-host-test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start:\n${output}`)), 30_000);
    child.stdout.on('data', () => output.includes('listening on') && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`portal exited (${code}):\n${output}`))));
  });
  return {
    baseUrl,
    output: () => output,
    stop: () =>
      new Promise((resolve) =>
        child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
      ),
  };
}

/** The newest mail to `to` written to MAIL_DIR at or after `since` (ms), waiting a little for it. */
export async function lastMailTo(mailDir, to, since = 0) {
  for (let i = 0; i < 50; i++) {
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).sort().reverse() : [];
    for (const f of files.filter((name) => Number(name.split('-')[0]) >= since)) {
      const mail = JSON.parse(fs.readFileSync(path.join(mailDir, f), 'utf8'));
      if (mail.to === to) return mail;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} in ${mailDir}`);
}
