import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { manifest } from '../../module/index';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as { version: string };

describe('Package version', () => {
  it('package.json and module.json carry the same version, and the module reports it', () => {
    const pkg = read('package.json').version;
    assert.equal(read('module.json').version, pkg, 'module.json version differs from package.json');
    assert.equal(manifest.version, pkg);
    assert.match(pkg, /^\d+\.\d+\.\d+$/);
  });

  it('the changelog has an entry for this version', () => {
    const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, new RegExp(`^## ${read('package.json').version.replace(/\./g, '\\.')}\\b`, 'm'));
  });
});
