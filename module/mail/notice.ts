import type { ModuleContext } from '../context';
import type { HostUser } from '../contract';
import { compose } from '../invites/mail';

/** One paragraph of a notice: a message key and its parameters. */
export interface NoticeLine {
  key: string;
  params?: Record<string, unknown>;
}

/**
 * A short e-mail about a change to someone's access (a hand-over offer, a declined invitation, a
 * permission change…): a subject, a few paragraphs and at most one link, in the reader's language.
 * All of them share one template (views/emails/notice.ejs), so a new notice is only its strings.
 */
export interface Notice {
  to: string;
  locale: string;
  subjectKey: string;
  /** Parameters of the subject and of the footer; `account` names the account the notice is about. */
  params: Record<string, unknown> & { account: string };
  lines: NoticeLine[];
  action?: { key: string; url: string };
}

/** Sends a notice now; rejects when the mailer does. */
export function sendNotice(ctx: ModuleContext, notice: Notice): Promise<void> {
  return compose(ctx, 'notice', notice.locale, notice.to, notice.subjectKey, {
    ...notice.params,
    lines: notice.lines,
    action: notice.action,
  });
}

/** The language a person reads e-mail in: their profile's, else the page's they acted from, else English. */
export function readerLocale(user: Pick<HostUser, 'locale'> | undefined, fallback?: string): string {
  return user?.locale || fallback || 'en';
}

/**
 * Sends a notice after the change it reports has been committed. The change stands whatever
 * happens to the e-mail: a failure is logged, never thrown.
 */
export async function sendNoticeQuietly(ctx: ModuleContext, notice: Notice, what: string): Promise<void> {
  try {
    await sendNotice(ctx, notice);
  } catch (err) {
    ctx.host.logger.error(`notice e-mail not sent: ${what}`, { err: String(err) });
  }
}
