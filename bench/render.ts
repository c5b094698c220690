import fs from 'node:fs';
import { renderReport } from './report';

/**
 * Renders the report again from the figures a run kept (the JSON beside its report in the temp
 * folder), e.g. after changing bench/report.ts: `npx tsx bench/render.ts <figures.json> [out.md]`.
 */
const [file, out] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/render.ts <figures.json> [out.md]');
const report = renderReport(JSON.parse(fs.readFileSync(file, 'utf8')) as Parameters<typeof renderReport>[0]);
if (out) fs.writeFileSync(out, report);
else process.stdout.write(report);
