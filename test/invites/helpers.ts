import assert from 'node:assert/strict';
import type { Client, TestPortal } from '../helpers/portal';
import { count, firstRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import type { OutboxRow } from '../helpers/rows';

export const BASE_URL = 'https://portal.example.test';
export const DAY = 24 * 3600_000;

/** Everything an invitation form could leave behind: e-mails, invitations and log entries. */
export async function traces(tp: TestPortal): Promise<{ mails: number; invites: number; log: number }> {
  return {
    mails: await count(tp, 'outbox'),
    invites: await count(tp, TABLES.invites),
    log: await count(tp, TABLES.log),
  };
}

export async function lastMail(tp: TestPortal, to?: string): Promise<OutboxRow> {
  const row = await firstRow(tp, 'outbox', (q) => {
    q.orderBy('id', 'desc');
    if (to) q.where('to_address', to);
  });
  assert.ok(row, `an e-mail${to ? ` to ${to}` : ''} was sent`);
  return row;
}

/** The invitation link of an e-mail, and the path and token inside it. */
export function linkOf(mail: { text: string }): { url: string; path: string; token: string } {
  const match = /(https?:\/\/[^\s]+\/invite\/([A-Za-z0-9_-]+))/.exec(mail.text);
  assert.ok(match, 'the e-mail contains an invitation link');
  const url = new URL(match[1]);
  return { url: match[1], path: url.pathname, token: match[2] };
}

/** An account with a signed-in owner, ready to invite. */
export async function ownerSetup(
  tp: TestPortal,
  name = 'Acme Web Studio',
): Promise<{ account: { id: number; ownerId: number; name: string }; owner: Client; ownerEmail: string }> {
  const ownerUser = await tp.f.user({ firstName: 'Alice', lastName: 'Archer' });
  const account = await tp.f.account({ name, ownerId: ownerUser.id });
  const owner = await tp.login(ownerUser.email);
  return { account, owner, ownerEmail: ownerUser.email };
}

export function invite(owner: Client, email: string, permissions: 'all' | string[] = 'all') {
  return owner.post(
    '/account/users/invite',
    permissions === 'all' ? { email, access: 'all' } : { email, access: 'choose', permissions },
  );
}

/** Invites and returns the link from the e-mail that went out. */
export async function inviteAndLink(
  tp: TestPortal,
  owner: Client,
  email: string,
  permissions: 'all' | string[] = 'all',
) {
  const res = await invite(owner, email, permissions);
  assert.equal(res.status, 303, `invite answered ${res.status}: ${res.text.slice(0, 300)}`);
  return linkOf(await lastMail(tp, email));
}

/** The visible text of a page's main content, without per-session values. */
export function mainText(html: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
  return main
    .replace(/name="_csrf" value="[^"]*"/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
