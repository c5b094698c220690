import fs from 'node:fs';
import path from 'node:path';
import { codeFiles, isReferenced, MODULE_CODE, PORTAL_CODE, referencesIn } from './key-usage';

/**
 * `npm run lang:check`, for both catalogues: the module's (lang/, shipped in the package) and the
 * reference portal's (host/lang). In each, compares every <locale>.json with en.json and lists, per
 * locale, keys missing or extra, strings whose {parameters} differ, and plural entries lacking a form
 * the locale's grammar needs (Intl.PluralRules) or carrying one it never uses. Then lists keys the
 * catalogue's code never refers to (so lang/ ships only the module's strings), keys in both
 * catalogues, and locales one catalogue has and the other lacks. Exit code 1 on any.
 */
type Entry = string | Record<string, string>;
type Catalogue = Record<string, Entry>;

export const LANG_DIR = path.join(__dirname, '..', 'lang');
export const PORTAL_LANG_DIR = path.join(__dirname, '..', 'host', 'lang');

/** Each catalogue, and the code whose strings it holds. */
export const CATALOGUES = [
  { name: 'module', dir: LANG_DIR, code: MODULE_CODE },
  { name: 'portal', dir: PORTAL_LANG_DIR, code: PORTAL_CODE },
] as const;

export interface LocaleReport {
  locale: string;
  missing: string[];
  extra: string[];
  params: string[];
  plurals: string[];
}

export function readCatalogue(locale: string, dir = LANG_DIR): Catalogue {
  return JSON.parse(fs.readFileSync(path.join(dir, `${locale}.json`), 'utf8')) as Catalogue;
}

export function localesIn(dir = LANG_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The parameter names an entry uses, over all its plural forms. */
export function paramsOf(entry: Entry): string[] {
  const texts = typeof entry === 'string' ? [entry] : Object.values(entry);
  const names = new Set<string>();
  for (const text of texts) for (const m of String(text).matchAll(/\{(\w+)\}/g)) names.add(m[1]);
  return [...names].sort();
}

/** The plural categories whole numbers reach in a locale (French "many" is 1 000 000 and up). */
export function neededForms(locale: string): string[] {
  const rules = new Intl.PluralRules(locale);
  const forms = new Set<string>();
  for (let n = 0; n <= 1000; n += 1) forms.add(rules.select(n));
  for (const n of [1e6, 2e6, 1e7, 1e9]) forms.add(rules.select(n));
  return [...forms].sort();
}

export function checkLocale(locale: string, en: Catalogue, cat: Catalogue): LocaleReport {
  const report: LocaleReport = { locale, missing: [], extra: [], params: [], plurals: [] };
  for (const key of Object.keys(en)) if (!(key in cat)) report.missing.push(key);
  for (const key of Object.keys(cat)) if (!(key in en)) report.extra.push(key);
  const needed = neededForms(locale);
  for (const [key, entry] of Object.entries(cat)) {
    const base = en[key];
    if (base === undefined) continue;
    if (typeof base !== typeof entry) {
      report.plurals.push(`${key}: ${typeof base === 'string' ? 'a plain string in en' : 'plural forms in en'}`);
      continue;
    }
    const want = paramsOf(base).join(', ');
    const got = paramsOf(entry).join(', ');
    if (want !== got) report.params.push(`${key}: {${got}} instead of {${want}}`);
    if (typeof entry !== 'string') {
      const lacking = needed.filter((f) => typeof entry[f] !== 'string' || !entry[f]);
      // `zero` is always allowed: the translation's own wording for 0 where the grammar's category reads wrong.
      const unused = Object.keys(entry).filter((f) => !needed.includes(f) && f !== 'zero');
      if (lacking.length) report.plurals.push(`${key}: lacks ${lacking.join(', ')}`);
      if (unused.length) report.plurals.push(`${key}: ${unused.join(', ')} never used in ${locale}`);
    } else if (!entry.trim()) {
      report.missing.push(`${key} (empty)`);
    }
  }
  return report;
}

export function checkAll(dir = LANG_DIR): LocaleReport[] {
  const en = readCatalogue('en', dir);
  return localesIn(dir).map((locale) => checkLocale(locale, en, readCatalogue(locale, dir)));
}

export function problems(r: LocaleReport): number {
  return r.missing.length + r.extra.length + r.params.length + r.plurals.length;
}

/** The English keys of a catalogue that its code never refers to, literally or by a built key. */
export function unusedKeys(dir: string, code: readonly string[]): string[] {
  const refs = referencesIn(codeFiles([...code]));
  return Object.keys(readCatalogue('en', dir)).filter((key) => !isReferenced(key, refs));
}

/** Keys both catalogues hold: the portal's would hide the module's string without saying so. */
export function sharedKeys(moduleDir = LANG_DIR, portalDir = PORTAL_LANG_DIR): string[] {
  const portal = readCatalogue('en', portalDir);
  return Object.keys(readCatalogue('en', moduleDir)).filter((key) => key in portal);
}

function main(): void {
  const list = (title: string, items: string[], indent = '  ') =>
    items.length && console.log(`${indent}${title}:\n${items.map((i) => `${indent}  ${i}`).join('\n')}`);
  let failed = false;
  for (const { name, dir, code } of CATALOGUES) {
    console.log(`${name} (${path.relative(process.cwd(), dir) || '.'})`);
    for (const r of checkAll(dir)) {
      console.log(`  ${r.locale}: ${problems(r) ? `${problems(r)} problem(s)` : 'complete'}`);
      list('missing', r.missing, '    ');
      list('extra', r.extra, '    ');
      list('parameters', r.params, '    ');
      list('plural forms', r.plurals, '    ');
      failed ||= problems(r) > 0;
    }
    const unused = unusedKeys(dir, code);
    list(`not used by the ${name}'s code`, unused);
    failed ||= unused.length > 0;
  }
  const [moduleLocales, portalLocales] = CATALOGUES.map((c) => localesIn(c.dir).join(', '));
  if (moduleLocales !== portalLocales) console.log(`locales differ: module ${moduleLocales}, portal ${portalLocales}`);
  const shared = sharedKeys();
  list('in both catalogues', shared);
  process.exitCode = failed || shared.length || moduleLocales !== portalLocales ? 1 : 0;
}

if (require.main === module) main();
