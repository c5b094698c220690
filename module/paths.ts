import fs from 'node:fs';
import path from 'node:path';

/**
 * The package's own folder: the nearest folder above this file that holds module.json. The same
 * answer from source (module/paths.ts) and from the build (dist/module/paths.js), so views/,
 * lang/ and module.json are found wherever the code runs from.
 */
function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'module.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`account-users: no module.json above ${start}`);
  }
}

const ROOT = findRoot(__dirname);

/** A path inside the package, e.g. packagePath('views', 'client') or packagePath('module.json'). */
export function packagePath(...segments: string[]): string {
  return path.join(ROOT, ...segments);
}
