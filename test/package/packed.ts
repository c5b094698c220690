import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The package as a host gets it: built and packed from this repository, then installed into an
 * empty project from the tarball. Both are kept in the temp folder under a hash of what went in,
 * so the second backend's run (and a run with nothing changed) reuses them.
 */
export const ROOT = path.join(__dirname, '..', '..');
const CACHE = path.join(os.tmpdir(), 'account-users-pack');
/** What goes into the tarball, or changes how it is built. */
const INPUTS = [
  'module',
  'migrations',
  'views',
  'lang',
  'hooks.ts',
  'module.json',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
];

export interface Tarball {
  file: string;
  size: number;
  files: string[];
}

export interface Project {
  dir: string;
  /** Milliseconds `npm install` took; 0 when an earlier run's project was reused. */
  installMs: number;
}

function hashOf(paths: string[]): string {
  const h = crypto.createHash('sha256');
  const walk = (p: string): void => {
    const abs = path.join(ROOT, p);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory())
      return fs
        .readdirSync(abs)
        .sort()
        .forEach((name) => walk(path.join(p, name)));
    h.update(p).update('\0').update(fs.readFileSync(abs)).update('\0');
  };
  paths.forEach(walk);
  return h.digest('hex').slice(0, 16);
}

/** npm run by a test must not inherit the npm settings of the `npm test` that started it. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, {
    cwd,
    env: npmEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Moves a finished folder into place; another process that got there first wins, with the same content. */
function settle(tmp: string, final: string): void {
  try {
    fs.renameSync(tmp, final);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Forgets packs and projects no run has used for a day (each project is some 35 MB). */
function prune(): void {
  for (const name of fs.existsSync(CACHE) ? fs.readdirSync(CACHE) : []) {
    const dir = path.join(CACHE, name);
    if (Date.now() - fs.statSync(dir).mtimeMs > 86_400_000) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Marks a cached folder as used now, so prune() keeps it. */
function touch(dir: string): string {
  const now = new Date();
  fs.utimesSync(dir, now, now);
  return dir;
}

/** `npm run build` and `npm pack`, once per content of the package's sources. */
export function packTarball(): Tarball {
  const dir = path.join(CACHE, `tarball-${hashOf(INPUTS)}`);
  const meta = path.join(dir, 'pack.json');
  if (!fs.existsSync(meta)) {
    prune();
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = fs.mkdtempSync(`${dir}-`);
    npm(['run', 'build'], ROOT);
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], ROOT)) as Array<{
      filename: string;
      size: number;
      files: Array<{ path: string }>;
    }>;
    const info = { file: packed.filename, size: packed.size, files: packed.files.map((f) => f.path) };
    fs.writeFileSync(path.join(tmp, 'pack.json'), JSON.stringify(info));
    settle(tmp, dir);
  }
  touch(dir);
  const info = JSON.parse(fs.readFileSync(meta, 'utf8')) as Tarball;
  return { ...info, file: path.join(dir, path.basename(info.file)) };
}

/** The repository's installed version of a package, so npm finds it in its cache. */
export function installedVersion(name: string): string {
  return (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

/**
 * An empty project with `packages` installed (the tarball among them, or not), once per content.
 * No install script runs; `prepare` finishes the folder before it is put in place.
 */
export function installOnce(kind: string, packages: string[], prepare: (dir: string) => void = () => {}): Project {
  const key = crypto.createHash('sha256');
  for (const p of packages) key.update(fs.existsSync(p) ? fs.readFileSync(p) : p).update('\0');
  const dir = path.join(CACHE, `${kind}-${key.digest('hex').slice(0, 16)}`);
  let installMs = 0;
  if (!fs.existsSync(path.join(dir, 'installed'))) {
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = fs.mkdtempSync(`${dir}-`);
    fs.writeFileSync(
      path.join(tmp, 'package.json'),
      JSON.stringify({ name: `${kind}-project`, version: '0.0.0', private: true }, null, 2),
    );
    const started = Date.now();
    npm(
      ['install', ...packages, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      tmp,
    );
    installMs = Date.now() - started;
    prepare(tmp);
    fs.writeFileSync(path.join(tmp, 'installed'), String(installMs));
    settle(tmp, dir);
  }
  return { dir: touch(dir), installMs };
}

/**
 * A portal's project: the tarball next to express, knex, express-session and the two database
 * drivers; better-sqlite3 gets the binary this repository built instead of building one.
 */
export function installProject(tarball: Tarball): Project {
  const drivers = ['express', 'knex', 'express-session', 'mysql2', 'better-sqlite3'].map(
    (p) => `${p}@${installedVersion(p)}`,
  );
  return installOnce('project', [tarball.file, ...drivers], (dir) => {
    const binary = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    fs.mkdirSync(path.dirname(path.join(dir, binary)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, binary), path.join(dir, binary));
  });
}
