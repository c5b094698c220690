import fs from 'node:fs';
import path from 'node:path';
import type { Request } from 'express';
import { packagePath } from './paths';

/**
 * Translations: one JSON file per locale in lang/, flat keys, `{name}` parameters, and plural forms
 * as an object of Intl.PluralRules categories chosen by the `count` parameter (an optional `zero`
 * form is used for 0 in any locale). English is the fallback for a key a locale lacks. lang/ holds
 * the module's strings only: a host adds a catalogue of its own pages' strings, and may override
 * any string with files of its own.
 */
type Entry = string | Partial<Record<Intl.LDMLPluralRule, string>>;
type Catalogue = Record<string, Entry>;

/** English: the catalogue every other locale must match, and the fallback for a missing key. */
export const DEFAULT_LOCALE = 'en';
const LANG_DIR = packagePath('lang');

const catalogues = new Map<string, Catalogue>();
let hostCatalogueDirs: string[] = [];
let overrideDirs: string[] = [];
let shipped: string[] | undefined;
let portalDefault = DEFAULT_LOCALE;

function readJson(file: string): Catalogue {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Catalogue;
}

function load(locale: string): Catalogue {
  let cat = catalogues.get(locale);
  if (!cat) {
    const file = path.join(LANG_DIR, `${locale}.json`);
    cat = fs.existsSync(file) ? readJson(file) : {};
    // The module's strings, then the host's own, then the host's overrides: the later one wins.
    for (const dir of [...hostCatalogueDirs, ...overrideDirs]) {
      const over = path.join(dir, `${locale}.json`);
      if (fs.existsSync(over)) cat = { ...cat, ...readJson(over) };
    }
    catalogues.set(locale, cat);
  }
  return cat;
}

/** The locales shipped in lang/ (en first). */
export function availableLocales(): string[] {
  if (!shipped) {
    // Read once: the folder is part of the release, and this runs on every request.
    const found = fs
      .readdirSync(LANG_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    shipped = [DEFAULT_LOCALE, ...found.filter((l) => l !== DEFAULT_LOCALE).sort()];
  }
  return [...shipped];
}

/** The portal's language for visitors who chose none and whose browser asks for none we have. */
export function setDefaultLocale(locale: string | undefined): void {
  portalDefault = locale && availableLocales().includes(locale) ? locale : DEFAULT_LOCALE;
}

export function defaultLocale(): string {
  return portalDefault;
}

/**
 * The language name as its speakers write it, for pickers a reader of any language can use: the
 * host's `language.<locale>` string when its catalogue has one (the module names no language
 * itself), else the name Intl knows.
 */
export function nativeName(locale: string): string {
  const key = `language.${locale}`;
  if (hasKey(key)) return translate(locale, key);
  return intl(`language|${locale}`, () => new Intl.DisplayNames([locale], { type: 'language' })).of(locale) ?? locale;
}

/**
 * Every file is read now, so a missing folder or a broken file stops the start instead of failing
 * on some later page.
 */
function checkDir(dir: string, what: string): void {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    try {
      readJson(path.join(dir, file));
    } catch (err) {
      throw new Error(`${what} ${path.join(dir, file)} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * Adds the host's own catalogue: a folder of `<locale>.json` files with the strings of the host's
 * pages, so one translator serves the module's pages and the host's. Its keys win over the
 * module's; overrides win over both. Kept by clearOverrides.
 */
export function addHostCatalogue(dir: string): void {
  checkDir(dir, 'host catalogue');
  if (!hostCatalogueDirs.includes(dir)) hostCatalogueDirs = [...hostCatalogueDirs, dir];
  catalogues.clear();
}

/** Adds a folder of `<locale>.json` files whose strings win over the module's and the host catalogue's. */
export function addOverrideDir(dir: string): void {
  checkDir(dir, 'language override');
  if (!overrideDirs.includes(dir)) overrideDirs = [...overrideDirs, dir];
  catalogues.clear();
}

export function clearOverrides(): void {
  overrideDirs = [];
  catalogues.clear();
}

function interpolate(text: string, params: Record<string, unknown>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function translate(locale: string, key: string, params: Record<string, unknown> = {}): string {
  const entry = load(locale)[key] ?? load(DEFAULT_LOCALE)[key];
  if (entry === undefined) return key;
  if (typeof entry === 'string') return interpolate(entry, params);
  const count = Number(params.count ?? 0);
  // `zero`, when a locale gives it, wins for 0: Brazilian Portuguese counts 0 as "one" but says "0 convites".
  const form =
    count === 0 && entry.zero ? 'zero' : intl(`plural|${locale}`, () => new Intl.PluralRules(locale)).select(count);
  return interpolate(entry[form] ?? entry.other ?? '', params);
}

export type Translate = (key: string, params?: Record<string, unknown>) => string;

export function translator(locale: string): Translate {
  return (key, params) => translate(locale, key, params);
}

/**
 * True when the key exists in English (the module's, the host's or an override), the catalogue
 * every locale must match.
 */
export function hasKey(key: string): boolean {
  return key in load(DEFAULT_LOCALE);
}

/** A visitor's language choice from the host's cookie of that name, when it names a shipped locale. */
export function visitorLocale(req: Request, cookieName: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  const prefix = `${cookieName}=`;
  const raw = header
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(prefix));
  const value = raw?.slice(prefix.length);
  return value && availableLocales().includes(value) ? value : undefined;
}

/**
 * The language of a page: the first shipped locale among the preferences (the user's saved one,
 * a visitor's choice), else the best Accept-Language match, else the portal's default.
 */
export function resolveLocale(req: Request, ...preferences: Array<string | null | undefined>): string {
  const locales = availableLocales();
  const preferred = preferences.find((p) => p && locales.includes(p));
  if (preferred) return preferred;
  const header = req.headers['accept-language'];
  if (typeof header === 'string') {
    const wanted = header
      .split(',')
      .map((part) => {
        const [tag, ...rest] = part.trim().split(';');
        const q = rest.find((r) => r.trim().startsWith('q='));
        return { tag: tag.trim(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
      })
      .filter((w) => w.tag && w.q > 0)
      .sort((a, b) => b.q - a.q);
    for (const { tag } of wanted) {
      const exact = locales.find((l) => l.toLowerCase() === tag.toLowerCase());
      if (exact) return exact;
      const base = tag.split('-')[0].toLowerCase();
      const partial = locales.find((l) => l.toLowerCase() === base || l.toLowerCase().startsWith(`${base}-`));
      if (partial) return partial;
    }
  }
  return portalDefault;
}

/**
 * Building an Intl formatter costs about 70 µs and native (ICU) memory that the process keeps long
 * after the object is collected (docs/benchmarks.md); one per locale and time zone is reused.
 */
const intlCache = new Map<string, unknown>();
export function intl<T>(key: string, make: () => T): T {
  let value = intlCache.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    intlCache.set(key, value);
  }
  return value;
}

/** A date and time in the reader's locale and the portal's time zone. */
export function formatDateTime(locale: string, ms: number | null | undefined, timeZone = 'UTC'): string {
  if (ms === null || ms === undefined) return '';
  return intl(
    `datetime|${locale}|${timeZone}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
  ).format(new Date(Number(ms)));
}

export function formatDate(locale: string, ms: number | null | undefined, timeZone = 'UTC'): string {
  if (ms === null || ms === undefined) return '';
  return intl(
    `date|${locale}|${timeZone}`,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }),
  ).format(new Date(Number(ms)));
}
