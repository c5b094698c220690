import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Part of `npm run lint`: no line of an EJS view over 120 characters. ESLint's max-len holds the
 * code to the same width; EJS has no Prettier or ESLint parser, so the views are checked here.
 */
const LIMIT = 120;

const views = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ejs'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);

const long = views.flatMap((file) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ file, line: i + 1, length: line.length }))
    .filter((l) => l.length > LIMIT),
);

for (const l of long) console.log(`${l.file}:${l.line}: ${l.length} characters (at most ${LIMIT})`);
if (long.length) process.exit(1);
console.log(`${views.length} views, no line over ${LIMIT} characters`);
