import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(full);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [full] : [];
  });
}

/** Every module specifier a file imports or requires. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

/**
 * The reference portal is the module's first host: it may use the package's public entry and
 * nothing else of the module — no internal file, no table name, no private session key. What a
 * host needs beyond that belongs in the contract.
 */
describe('the reference portal uses the public entry only', () => {
  const files = sources(path.join(ROOT, 'host'));

  it('imports nothing of the module but module/index', () => {
    const offending: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
        const ofModule =
          target === 'hooks' ||
          target.startsWith('module') ||
          target.startsWith('migrations') ||
          target.startsWith('views') ||
          target.startsWith('lang');
        if (ofModule && target !== path.join('module', 'index'))
          offending.push(`${path.relative(ROOT, file)} → ${spec}`);
      }
    }
    assert.deepEqual(offending, []);
    assert.ok(
      files.some((f) => importsOf(f).includes('../module/index')),
      'the portal does import the public entry',
    );
  });

  it('reads none of the module tables and none of its session keys', () => {
    const offending = files.filter((f) =>
      /mod_account_users_|accountUsersFlash|accountUsersCsrf|session\??\.accountUsers\b/.test(
        fs.readFileSync(f, 'utf8'),
      ),
    );
    assert.deepEqual(
      offending.map((f) => path.relative(ROOT, f)),
      [],
    );
  });
});
