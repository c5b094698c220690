import assert from 'node:assert/strict';
import { PORTAL_LANG_DIR, readCatalogue } from '../../scripts/lang-check';
import type { Client } from '../helpers/portal';

/** English of both catalogues, the module's and the portal's: a raw key of either is a missing string. */
export const EN = { ...readCatalogue('en'), ...readCatalogue('en', PORTAL_LANG_DIR) };
const EN_KEYS = new Set(Object.keys(EN));
export const LOCALES = ['en', 'de', 'fr', 'es', 'nl', 'pt-BR'];

/**
 * Keys of either en.json that appear as text: a translation that fell through to its key. Dotted words
 * (the brief's /\b[a-z]+\.[a-zA-Z]+(\.[a-zA-Z]+)*\b/, widened to keys with "_" and "-") count only
 * when a catalogue has them, so domain names and file names do not.
 */
export function rawKeys(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/[a-zA-Z][\w-]*(?:\.[\w-]+)+/g)) {
    // "a.b.c" may hide the key "a.b": check every dotted prefix too.
    const parts = m[0].split('.');
    for (let n = 2; n <= parts.length; n += 1)
      if (EN_KEYS.has(parts.slice(0, n).join('.'))) found.add(parts.slice(0, n).join('.'));
  }
  for (const m of text.matchAll(/\b[a-z]+\.[a-zA-Z]+(\.[a-zA-Z]+)*\b/g)) if (EN_KEYS.has(m[0])) found.add(m[0]);
  return [...found];
}

export function htmlLang(html: string): string | undefined {
  return /<html lang="([^"]+)"/.exec(html)?.[1];
}

/** Opens a page and asserts it answered as expected, in the locale, with no raw key. */
export async function assertPage(client: Client, path: string, locale: string, status = 200): Promise<string> {
  const res = await client.get(path);
  assert.equal(res.status, status, `${locale} ${path} answered ${res.status}`);
  assert.equal(htmlLang(res.text), locale, `${locale} ${path} is in ${htmlLang(res.text)}`);
  assert.deepEqual(rawKeys(res.text), [], `${locale} ${path} shows raw keys`);
  return res.text;
}

/** Chooses a language with the footer's picker, as a visitor does. */
export async function pick(client: Client, locale: string, from = '/login'): Promise<void> {
  await client.refreshCsrf(from);
  const res = await client.post('/language', { locale, from });
  assert.equal(res.status, 303, `picking ${locale} answered ${res.status}`);
}
