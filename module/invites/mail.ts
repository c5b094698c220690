import { text } from '../db-values';
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { ModuleContext } from '../context';
import { formatDateTime, translator } from '../i18n';
import { renderView } from '../render';
import { packagePath } from '../paths';
import { oneLine as withoutControls } from '../names';

const EMAILS = packagePath('views', 'emails');
const textTemplates = new Map<string, ejs.TemplateFunction>();

/** Plain-text bodies are not HTML: `<%=` must leave "&" and "<" as they are there. */
function renderText(name: string, data: Record<string, unknown>): string {
  const filename = path.join(EMAILS, `${name}.txt.ejs`);
  let fn = textTemplates.get(filename);
  if (!fn) {
    fn = ejs.compile(fs.readFileSync(filename, 'utf8'), { filename, escape: text });
    textTemplates.set(filename, fn);
  }
  return fn(data);
}

/** A subject is one header line: names typed by users must not add another. */
function subjectLine(s: string): string {
  return withoutControls(s).trim().slice(0, 250);
}

/** Who the module's e-mails say they come from: the host's brand, else the host name of its base URL. */
export function companyName(ctx: ModuleContext): string {
  const name = ctx.host.brand?.name?.trim();
  if (name) return name;
  try {
    return new URL(ctx.host.baseUrl).hostname;
  } catch {
    return ctx.host.baseUrl;
  }
}

export function compose(
  ctx: ModuleContext,
  name: string,
  locale: string,
  to: string,
  subjectKey: string,
  raw: Record<string, unknown>,
) {
  // Every value (names, account names, addresses) stays on one line of the message, whatever was stored.
  const values = { ...raw, company: companyName(ctx), portalUrl: ctx.host.baseUrl };
  const data = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? withoutControls(v) : v]),
  );
  const t = translator(locale);
  const subject = subjectLine(t(subjectKey, data));
  const all = { ...data, subject, t, locale, dateTime: (ms: number) => `${formatDateTime(locale, ms, 'UTC')} UTC` };
  return ctx.host.mailer.send({
    to,
    subject,
    text: renderText(name, all),
    html: renderView(`emails/${name}`, all),
  });
}

export interface InviteMail {
  to: string;
  locale: string;
  inviterName: string;
  accountName: string;
  link: string;
  expiresAt: number;
  /** The access in words, one line ("Invoices, Support tickets"). */
  access: string;
  /** What the invitation grants; absent in messages queued by 1.1.0, which then show `access` only. */
  allPermissions?: boolean;
  permissions?: string[];
}

/** Each granted permission with what it allows, in the reader's language; undefined when the message does not say. */
function grantsOf(
  ctx: ModuleContext,
  locale: string,
  mail: InviteMail,
): Array<{ label: string; description: string }> | undefined {
  const t = translator(locale);
  if (mail.allPermissions) return [{ label: t('access.all'), description: t('access.allHelp') }];
  if (!Array.isArray(mail.permissions)) return undefined;
  const keys = mail.permissions;
  return ctx.catalogue.keys
    .filter((k) => keys.includes(k))
    .map((k) => ({ label: t(`permission.${k}.label`), description: t(`permission.${k}.description`) }));
}

/**
 * The invitation, in the invitee's language when they already have a login with one (their
 * profile's locale), otherwise in the language of the page it was sent from: who sends it (the
 * hosting company), who invites and to which account, and what each granted permission allows.
 */
export function sendInviteMail(ctx: ModuleContext, mail: InviteMail): Promise<void> {
  return compose(ctx, 'invite', mail.locale, mail.to, 'email.invite.subject', {
    ...mail,
    inviter: mail.inviterName,
    account: mail.accountName,
    grants: grantsOf(ctx, mail.locale, mail),
  });
}

export interface AcceptedMail {
  to: string;
  locale: string;
  accountName: string;
  userName: string;
  userEmail: string;
  access: string;
  usersUrl: string;
}

/** Tells the owner that someone accepted an invitation to their account. */
export function sendAcceptedMail(ctx: ModuleContext, mail: AcceptedMail): Promise<void> {
  return compose(ctx, 'invite-accepted', mail.locale, mail.to, 'email.accepted.subject', {
    ...mail,
    account: mail.accountName,
    name: mail.userName,
  });
}
