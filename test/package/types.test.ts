import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { installedVersion, installOnce, packTarball, type Project } from './packed';

const HOST = path.join(__dirname, 'typed-host.mts');
/** The TypeScript after 5.x: a native compiler, published as `typescript` 7 on the npm registry. */
const NEXT_TYPESCRIPT = 'typescript@^7';

/** One tsconfig per module resolution a host may use; each compiles the same host file. */
const MODES: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
  node16: { compilerOptions: { module: 'node16', moduleResolution: 'node16' }, files: ['host.mts', 'host.cts'] },
  nodenext: { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['host.mts', 'host.cts'] },
  bundler: { compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, files: ['host.ts'] },
};

/** The host file, as ESM, CommonJS and plain .ts, in the typed project. */
function writeHost(dir: string): void {
  for (const ext of ['mts', 'cts', 'ts']) fs.copyFileSync(HOST, path.join(dir, `host.${ext}`));
}

/**
 * A tsconfig for one mode. With `libCheck` the declarations themselves are checked too (ours and
 * those they lean on), which takes TypeScript 5 some 20 s; without, only their use by the host.
 */
function tsconfig(dir: string, mode: string, libCheck: boolean, files = MODES[mode].files): string {
  const name = `tsconfig.${mode}${libCheck ? '' : '.quick'}.json`;
  const compilerOptions = {
    target: 'es2022',
    strict: true,
    noEmit: true,
    skipLibCheck: !libCheck,
    types: ['node'],
    ...MODES[mode].compilerOptions,
  };
  fs.writeFileSync(path.join(dir, name), JSON.stringify({ compilerOptions, files }, null, 2));
  return name;
}

function tsc(typescriptDir: string, project: string, cwd: string) {
  const bin = path.join(typescriptDir, 'node_modules', 'typescript', 'bin', 'tsc');
  return spawnSync(process.execPath, [bin, '-p', project], { cwd, encoding: 'utf8' });
}

function versionIn(dir: string): string {
  return (
    JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'typescript', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

describe('The packed type declarations in a TypeScript host', function () {
  this.timeout(300_000);
  let typed: Project;
  let next: Project | undefined;

  before(function () {
    const tarball = packTarball();
    const types = [
      'express',
      'knex',
      'express-session',
      '@types/express',
      '@types/express-session',
      '@types/node',
      'typescript',
    ].map((p) => `${p}@${installedVersion(p)}`);
    typed = installOnce('typed', [tarball.file, ...types]);
    writeHost(typed.dir);
    console.log(`      TypeScript ${versionIn(typed.dir)} from the repository`);
    try {
      // Kept apart from the tarball: one download serves every later run of the day.
      next = installOnce('typescript-7', [NEXT_TYPESCRIPT]);
      console.log(`      TypeScript ${versionIn(next.dir)} from the npm registry`);
    } catch (err) {
      console.log(
        '      TypeScript 7 could not be installed from the npm registry, so it is not checked: ' +
          (err as Error).message.split('\n')[0],
      );
    }
  });

  for (const [i, mode] of Object.keys(MODES).entries()) {
    // The slow full check once with TypeScript 5; the fast native compiler checks everything each time.
    it(`compile with the repo's TypeScript, moduleResolution ${mode}${i === 0 ? ', declarations checked' : ''}`, () => {
      const run = tsc(typed.dir, tsconfig(typed.dir, mode, i === 0), typed.dir);
      assert.equal(run.status, 0, `TypeScript ${versionIn(typed.dir)}:\n${run.stdout}${run.stderr}`);
    });

    it(`compile with TypeScript 7, moduleResolution ${mode}, declarations checked`, function () {
      if (!next) {
        console.log('      skipped: TypeScript 7 is not installed (see above)');
        return this.skip();
      }
      const run = tsc(next.dir, tsconfig(typed.dir, mode, true), typed.dir);
      assert.equal(run.status, 0, `TypeScript ${versionIn(next.dir)}:\n${run.stdout}${run.stderr}`);
    });
  }

  it('a wrong host does not compile: the check is not vacuous', () => {
    fs.writeFileSync(
      path.join(typed.dir, 'broken.mts'),
      fs.readFileSync(HOST, 'utf8').replace("requirePermission('invoices')", 'requirePermission(42)'),
    );
    const run = tsc(typed.dir, tsconfig(typed.dir, 'node16', false, ['broken.mts']), typed.dir);
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /broken\.mts.*TS2345/);
  });
});
