import type { Actor, ModuleContext } from '../context';
import type { HostUser } from '../contract';
import { formatDateTime, translator } from '../i18n';
import { companyName } from '../invites/mail';
import { readerLocale, sendNoticeQuietly, type NoticeLine } from '../mail/notice';
import type { AccessChoice } from './service';

/**
 * The e-mails that tell a person their own access changed: new permissions, access removed,
 * ownership gained or handed on. Each has its setting; all are sent after the commit and never
 * undo the change when the mail server fails.
 */
/** Who a notice goes to: the person, the account's name and the language they read. */
interface Reader {
  user: HostUser;
  account: string;
  locale: string;
}

export class MemberNotices {
  constructor(
    private readonly ctx: ModuleContext,
    /** A page of the client area as an absolute link (the host's base URL and the module's mount path). */
    private readonly clientUrl: (path: string) => string,
  ) {}

  /** Who made the change, as the reader knows them: the owner by name, staff as the hosting company. */
  private byLine(keys: { byOwner: string; byStaff: string }, actor: Actor, account: string): NoticeLine {
    return actor.type === 'user'
      ? { key: keys.byOwner, params: { name: actor.name, account } }
      : { key: keys.byStaff, params: { company: companyName(this.ctx), account } };
  }

  /**
   * The reader and the account's name; nothing when either has gone meanwhile or the host could
   * not say: the change is committed by now and must not be reported as failed.
   */
  private async about(accountId: number, userId: number): Promise<Reader | undefined> {
    const { host } = this.ctx;
    try {
      const [user, [account]] = await Promise.all([host.users.findById(userId), host.accounts.findByIds([accountId])]);
      if (!user || !account) return undefined;
      return { user, account: account.name, locale: readerLocale(user) };
    } catch (err) {
      host.logger.error('notice e-mail not sent: reader not found', { err: String(err), accountId, userId });
      return undefined;
    }
  }

  /** One notice to a reader found by `about`, about their account; `link` adds the way to their accounts. */
  private tell(to: Reader, subjectKey: string, lines: NoticeLine[], what: string, link = true): Promise<void> {
    const action = link ? { key: 'email.notice.openAccounts', url: this.clientUrl('/switch') } : undefined;
    const notice = { to: to.user.email, locale: to.locale, subjectKey, params: { account: to.account }, lines, action };
    return sendNoticeQuietly(this.ctx, notice, what);
  }

  private summary(locale: string, choice: AccessChoice): string {
    return this.ctx.catalogue.summary(translator(locale), { allPermissions: choice.all, permissions: choice.keys });
  }

  async permissionsChanged(actor: Actor, accountId: number, userId: number, choice: AccessChoice): Promise<void> {
    if (!this.ctx.settings().notifyPermissionsChanged) return;
    const to = await this.about(accountId, userId);
    if (!to) return;
    await this.tell(
      to,
      'email.permissionsChanged.subject',
      [
        this.byLine(
          { byOwner: 'email.permissionsChanged.byOwner', byStaff: 'email.permissionsChanged.byStaff' },
          actor,
          to.account,
        ),
        { key: 'email.permissionsChanged.access', params: { access: this.summary(to.locale, choice) } },
      ],
      `permissions changed (account ${accountId}, user ${userId})`,
    );
  }

  /** Removed by the owner or staff; someone who leaves on their own is not told what they did. */
  async accessRemoved(actor: Actor, accountId: number, userId: number): Promise<void> {
    if (!this.ctx.settings().notifyAccessRemoved) return;
    const to = await this.about(accountId, userId);
    if (!to) return;
    await this.tell(
      to,
      'email.accessRemoved.subject',
      [
        this.byLine(
          { byOwner: 'email.accessRemoved.byOwner', byStaff: 'email.accessRemoved.byStaff' },
          actor,
          to.account,
        ),
        { key: 'email.accessRemoved.after', params: { account: to.account } },
      ],
      `access removed (account ${accountId}, user ${userId})`,
      false,
    );
  }

  /**
   * Ownership moved, by whatever path: the new owner is told they own the account, the previous
   * one (when there was one) who owns it now and what they keep.
   */
  async ownerChanged(
    accountId: number,
    userId: number,
    previous: { userId: number; access: AccessChoice } | null,
  ): Promise<void> {
    if (!this.ctx.settings().notifyOwnerChanged) return;
    const owner = await this.about(accountId, userId);
    if (!owner) return;
    await this.tell(
      owner,
      'email.ownerChanged.newSubject',
      [
        { key: 'email.ownerChanged.newText', params: { account: owner.account } },
        { key: 'email.ownerChanged.newManage' },
      ],
      `owner changed (account ${accountId}, new owner ${userId})`,
    );
    if (!previous) return;
    const before = await this.about(accountId, previous.userId);
    if (!before) return;
    await this.tell(
      before,
      'email.ownerChanged.previousSubject',
      [
        {
          key: 'email.ownerChanged.previousText',
          params: { name: this.ctx.host.users.displayName(owner.user), account: before.account },
        },
        {
          key: 'email.ownerChanged.previousAccess',
          params: { access: this.summary(before.locale, previous.access) },
        },
      ],
      `owner changed (account ${accountId}, previous owner ${previous.userId})`,
    );
  }

  /** Access with an end date ends in a few days (the periodic pass sends this once per end date). */
  async accessEnding(accountId: number, userId: number, accessUntil: number): Promise<void> {
    const to = await this.about(accountId, userId);
    if (!to) return;
    await this.tell(
      to,
      'email.accessEnding.subject',
      [
        {
          key: 'email.accessEnding.text',
          params: { account: to.account, date: `${formatDateTime(to.locale, accessUntil, 'UTC')} UTC` },
        },
        { key: 'email.accessEnding.after' },
      ],
      `access ending (account ${accountId}, user ${userId})`,
    );
  }
}
