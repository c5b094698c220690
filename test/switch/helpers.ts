import { CookieAccessInfo } from 'cookiejar';
import type { Client, TestPortal } from '../helpers/portal';
import { firstRow, foundRow } from '../helpers/db';

/** What tests read of a stored session: the module's part. */
type StoredSession = { accountUsers?: { accountId?: number; multi?: boolean } };

/** The stored session of a client (read from the sessions table by its cookie's id). */
export async function storedSession(tp: TestPortal, client: Client): Promise<StoredSession> {
  const jar = (
    client.agent as unknown as {
      jar: { getCookie(name: string, info: CookieAccessInfo): { value: string } | undefined };
    }
  ).jar;
  const cookie = jar.getCookie('portal.sid', CookieAccessInfo.All);
  if (!cookie) throw new Error('no session cookie');
  const sid = /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))?.[1];
  const row = await firstRow(tp, 'sessions', { sid });
  if (!row) throw new Error('session not stored');
  return JSON.parse(row.sess) as StoredSession;
}

export async function sessionAccount(tp: TestPortal, client: Client): Promise<number | undefined> {
  return (await storedSession(tp, client)).accountUsers?.accountId;
}

/** The labels of the rendered main menu and account menu (links only). */
export function menus(html: string): { primary: string[]; account: string[] } {
  const block = (re: RegExp) => re.exec(html)?.[1] ?? '';
  const labels = (part: string) => [...part.matchAll(/<a href="[^"]*"[^>]*>([^<]+)/g)].map((m) => m[1].trim());
  return {
    primary: labels(block(/<nav class="mainnav"[\s\S]*?>([\s\S]*?)<\/nav>/)),
    account: labels(block(/<details class="accountmenu">([\s\S]*?)<\/details>/)),
  };
}

/** The account names listed on a Switch Account page, in order. */
export function listedAccounts(html: string): string[] {
  return [...html.matchAll(/<span class="au-account-name">([^<]*)<\/span>/g)].map((m) => m[1]);
}

export { count } from '../helpers/db';

export async function emailOf(tp: TestPortal, userId: number): Promise<string> {
  return (await foundRow(tp, 'users', { id: userId })).email;
}

/** Undoes EJS's escaping of a text or attribute value. */
export function unescapeHtml(text: string): string {
  return text.replace(
    /&(amp|lt|gt|#34|#39|quot);/g,
    (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', '#34': '"', '#39': "'", quot: '"' })[e]!,
  );
}

/** A form in the account menu as a browser would send it: its address, method and fields. */
export interface MenuForm {
  method: string;
  action: string;
  fields: Record<string, string>;
  label: string;
  detail?: string;
  input?: string;
}

/** The forms of the rendered account menu (one-click switches and the search box), in order. */
export function menuForms(html: string): MenuForm[] {
  const menu = /<details class="accountmenu">([\s\S]*?)<\/details>/.exec(html)?.[1] ?? '';
  return [...menu.matchAll(/<form method="([^"]+)" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)]
    .filter((m) => m[2] !== '/logout')
    .map((m) => {
      const fields: Record<string, string> = {};
      for (const f of m[3].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
        fields[f[1]] = unescapeHtml(f[2]);
      const label =
        /<span class="menu-label">([^<]*)<\/span>/.exec(m[3])?.[1] ??
        /<button type="submit"[^>]*>([^<]*)<\/button>/.exec(m[3])?.[1] ??
        '';
      const detail = /<span class="menu-detail">([^<]*)<\/span>/.exec(m[3])?.[1];
      const input = /<input id="[^"]*" name="([^"]+)" type="search"/.exec(m[3])?.[1];
      return {
        method: m[1],
        action: m[2],
        fields,
        label: unescapeHtml(label),
        detail: detail && unescapeHtml(detail),
        input,
      };
    });
}

/** The one-click switch forms of the account menu. */
export const menuSwitches = (html: string) => menuForms(html).filter((f) => f.method === 'post');
