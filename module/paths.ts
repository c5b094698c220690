import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/**
 * A file of the package (views, lang, module.json …), found from the package root: the nearest
 * folder above this file that holds module.json. The same from source (module/) and from the
 * compiled build (dist/module/), so nothing guesses with `__dirname/..`.
 */
export function packagePath(...segments: string[]): string {
  if (!root) {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, 'module.json'))) {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error('account-users: module.json not found above ' + __dirname);
      dir = parent;
    }
    root = dir;
  }
  return path.join(root, ...segments);
}
