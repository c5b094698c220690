import type { Knex } from 'knex';
import { isOpenStatus } from '../host-schema';
import type { Actor, ModuleContext } from '../context';
import type { HostUser } from '../contract';
import { Refusal, type FieldErrors } from '../errors';
import { writeLog } from '../log/repo';
import { accessEnded, type MembersRepo } from '../members/repo';
import { requireGrantable, sameAccess, type MembersService } from '../members/service';
import { accessDetail, storedKeys } from '../permissions';
import { translator } from '../i18n';
import { InvitesRepo, type AddressedInvite, type Invite, type InviteInContext } from './repo';
import { hashToken, looksLikeToken, newToken } from './token';
import { sendAcceptedMail } from './mail';
import { MailSender, type ClaimedMail } from '../mail/sender';
import { retryOnDeadlock } from '../deadlock';
import { readerLocale, sendNoticeQuietly } from '../mail/notice';
import { parseScopeChoice, scopeFields, type ResourceScopes } from '../scopes';
import type { AccessChoice } from '../members/service';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The shortest time between two sends of one invitation: a double click sends one e-mail. */
export const RESEND_INTERVAL_MS = 60_000;
export const EMAIL_MAX = 254;
/** How long User Management shows an invitation as declined. */
export const DECLINED_SHOWN_MS = 7 * DAY;
/** The most invitations the Invitations page lists at once (a person is rarely invited to more). */
export const ADDRESSED_MAX = 50;

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** A deliverable-looking address: one @, a local part of at most 64 characters, a dotted domain. */
export function isEmailAddress(email: string): boolean {
  if (email.length > EMAIL_MAX) return false;
  const at = email.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (
    !/^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local) ||
    local.startsWith('.') ||
    local.endsWith('.') ||
    local.includes('..')
  )
    return false;
  return /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain);
}

/** The most addresses one invite form may hold. */
export const BULK_MAX = 20;

/**
 * The addresses of an invite form, normalised, each once, in the order given. Commas, semicolons
 * and line breaks separate them; spaces too, but only in a part with more than one @, so
 * "a b@example.com" stays one (invalid) address instead of inviting b@example.com alone.
 */
export function splitAddresses(raw: string): Array<{ email: string; times: number }> {
  const out = new Map<string, number>();
  for (const piece of raw.split(/[,;\r\n]+/)) {
    const trimmed = piece.trim();
    if (!trimmed) continue;
    const several = trimmed.indexOf('@') !== trimmed.lastIndexOf('@');
    for (const part of several ? trimmed.split(/\s+/) : [trimmed]) {
      const email = normaliseEmail(part);
      out.set(email, (out.get(email) ?? 0) + 1);
    }
  }
  return [...out].map(([email, times]) => ({ email, times }));
}

/** What became of one address of a bulk invitation. */
export interface BulkOutcome {
  email: string;
  /** How often the form listed it (it is invited once). */
  times: number;
  result: 'sent' | 'queued' | 'hasAccess' | 'pending' | 'invalid' | 'ownAddress';
  /** The new invitation, or the pending one that can be sent again instead. */
  inviteId?: number;
}

export interface AccessInput {
  email: string;
  access: unknown;
  permissions: unknown;
  /** The posted choice of services and domains (`scopeFields`); left out, every item. */
  scopes?: ReturnType<typeof scopeFields>;
  /** The end of the access the invitation gives (null or absent: none), checked by the form. */
  accessUntil?: number | null;
}

/**
 * The account invitations are sent for; `knownOpen` when the caller read it open in this request
 * (a client page's guard).
 */
export interface InvitingAccount {
  id: number;
  name: string;
  knownOpen?: boolean;
}

export interface ValidInvitation {
  invite: Invite;
  accountName: string;
  inviterName: string;
  /** The account's owner as the invitation was read (told of an acceptance); undefined when it has none. */
  ownerId?: number;
  /** When `open` was asked about a person: whether they are a member of the account already. */
  viewer?: { userId: number; member: boolean };
}

/** An accepted invitation: the account joined, and whether access was made now (false: already a member). */
export interface Accepted {
  accountId: number;
  accountName: string;
  created: boolean;
  /** The acceptance moved the membership's last login in its transaction (not so a second click on a used link). */
  lastLoginMoved?: boolean;
}

/**
 * The rules of invitations: who may be invited, sending and resending the e-mail, cancelling,
 * and accepting exactly once. Changes write the log in their transaction; events follow the commit.
 */
export class InvitesService {
  /** The invitation e-mails: queued with the invitation, sent after the commit, retried. */
  readonly mail: MailSender;

  constructor(
    private readonly ctx: ModuleContext,
    readonly repo: InvitesRepo,
    private readonly members: MembersService,
    private readonly membersRepo: MembersRepo,
    private readonly clientMountPath: () => string,
  ) {
    this.mail = new MailSender(ctx, (token) => this.inviteLink(token));
  }

  /** Links in e-mails: the configured base URL and the client app's mount path, never request headers. */
  clientUrl(path: string): string {
    return `${this.ctx.host.baseUrl.replace(/\/+$/, '')}${this.clientMountPath()}${path}`;
  }

  /** Whether a local path is an invitation page of this module (signing in from it returns there). */
  isInvitationPath(path: string): boolean {
    return (
      path.startsWith(`${this.clientMountPath()}/invite/`) &&
      looksLikeToken(path.slice(this.clientMountPath().length + '/invite/'.length))
    );
  }

  inviteLink(token: string): string {
    return this.clientUrl(`/invite/${token}`);
  }

  /** Field checks that need no database; all problems at once so the form can show each (`fieldErrors`). */
  validate(input: AccessInput): { email: string; choice: { all: boolean; keys: string[] } } {
    const email = normaliseEmail(input.email);
    const errors: FieldErrors = {};
    if (!email) errors.email = 'invites.errors.emailRequired';
    else if (email.length > EMAIL_MAX) errors.email = 'invites.errors.emailTooLong';
    else if (!isEmailAddress(email)) errors.email = 'invites.errors.emailInvalid';
    const choice = this.ctx.catalogue.parseChoice(input.access, input.permissions);
    if ('error' in choice) errors.permissions = choice.error;
    if (Object.keys(errors).length > 0 || 'error' in choice)
      throw Refusal.invalid('invites.errors.summary', {}, errors);
    return { email, choice };
  }

  /** The access choice with its chosen services and domains, checked against the host's list of the account's own. */
  private async withScopes(
    accountId: number,
    choice: { all: boolean; keys: string[] },
    fields: AccessInput['scopes'],
  ): Promise<AccessChoice & { scopes: ResourceScopes }> {
    if (!fields) return { ...choice, scopes: {} };
    const parsed = await parseScopeChoice(this.ctx, accountId, choice, fields);
    if ('error' in parsed) throw Refusal.invalid('invites.errors.summary', {}, { permissions: parsed.error });
    return { ...choice, scopes: parsed.scopes };
  }

  /**
   * Serialises invitation changes of one account on MySQL, so limits are counted exactly; answers
   * the owner row it locked, for `grantorIn`.
   */
  private async lockAccount(
    trx: Knex.Transaction,
    accountId: number,
  ): Promise<{ owner: { userId: number } | undefined }> {
    return { owner: await this.membersRepo.lockOwner(trx, accountId) };
  }

  /**
   * The account owner's address in lower case (no one can invite it): the inviter's own when the
   * inviter is the owner just locked (as when staff invite on the owner's behalf), else read.
   */
  private async ownerAddress(
    trx: Knex.Transaction,
    accountId: number,
    locked: { owner: { userId: number } | undefined },
    inviter: HostUser,
  ): Promise<string | undefined> {
    const email =
      locked.owner && locked.owner.userId === inviter.id
        ? inviter.email
        : (await this.membersRepo.owner(accountId, trx))?.email;
    return email?.toLowerCase();
  }

  private async checkLimits(trx: Knex.Transaction, accountId: number, now: number): Promise<void> {
    const { maxUsersPerAccount, invitesPerHour } = this.ctx.settings();
    if (maxUsersPerAccount > 0) {
      const used =
        (await this.membersRepo.countMembers(accountId, '', trx)) + (await this.repo.countOpen(accountId, now, trx));
      if (used >= maxUsersPerAccount) throw Refusal.invalid('invites.errors.limit', { max: maxUsersPerAccount });
    }
    if ((await this.repo.sendsSince(accountId, now - HOUR, trx)) >= invitesPerHour) {
      throw Refusal.rateLimited('invites.errors.rate', { count: invitesPerHour });
    }
  }

  /**
   * Nobody is invited into a closed account: its link could never be opened. `knownOpen`: the
   * caller read the account open in this request already (the guard of a client page does).
   */
  private async requireOpen(account: InvitingAccount): Promise<void> {
    if (account.knownOpen) return;
    const { host } = this.ctx;
    const [found] = await host.accounts.findByIds([account.id]);
    if (!found || !isOpenStatus(host.schema, found.status))
      throw Refusal.conflict('invites.errors.accountClosed', { account: account.name });
  }

  private accessSummary(locale: string, invite: { allPermissions: boolean; permissions: string[] }): string {
    return this.ctx.catalogue.summary(translator(locale), invite);
  }

  /**
   * Creates the invitation and queues its e-mail in the same transaction, then sends it; when the
   * mail server fails the invitation stays and its e-mail is tried again (`mailSent` false).
   */
  async invite(
    actor: Actor,
    inviter: HostUser,
    account: InvitingAccount,
    input: AccessInput,
    locale: string,
  ): Promise<{ inviteId: number; email: string; mailSent: boolean; allPermissions: boolean; permissions: string[] }> {
    const { email, choice: checked } = this.validate(input);
    const choice = await this.withScopes(account.id, checked, input.scopes);
    await this.requireOpen(account);
    const { host } = this.ctx;
    // Host lookups use the host's own connection, so they run before the transaction.
    const existingUser = await host.users.findByEmail(email);
    // The invitee's own language when they have saved one, else the inviter's page language.
    locale = existingUser?.locale || locale;
    const now = this.ctx.now();
    const made = await retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        const locked = await this.lockAccount(trx, account.id);
        const accessUntil = input.accessUntil ?? null;
        requireGrantable(
          await this.members.grantorIn(trx, actor, account.id, locked),
          { ...choice, accessUntil },
          null,
        );
        if ((await this.ownerAddress(trx, account.id, locked, inviter)) === email) {
          throw Refusal.invalid('invites.errors.ownAddress', { email }, { email: 'invites.errors.ownAddress' });
        }
        if (existingUser && (await this.membersRepo.find(account.id, existingUser.id, trx))) {
          throw Refusal.invalid('invites.errors.hasAccess', { email }, { email: 'invites.errors.hasAccess' });
        }
        const pending = await this.repo.pendingFor(account.id, email, trx);
        // The page offers to send the pending one again instead.
        if (pending && pending.expiresAt > now)
          throw Refusal.conflict('invites.errors.pending', { email, pendingInviteId: pending.id });
        // An expired invitation to the same address is closed; the new one replaces it.
        if (pending) await this.repo.clearPending(trx, pending.id);
        await this.checkLimits(trx, account.id, now);
        const until = input.accessUntil ?? null;
        return this.insertInvite(trx, actor, inviter, account, { email, choice, locale, until }, now);
      }),
    );
    const mailSent = await this.mail.deliverClaimed(made.mail);
    await this.ctx.emit('AccountUserInvited', {
      accountId: account.id,
      inviteId: made.inviteId,
      email,
      allPermissions: choice.all,
      permissions: choice.keys,
      resent: false,
      actor,
    });
    return { inviteId: made.inviteId, email, mailSent, allPermissions: choice.all, permissions: choice.keys };
  }

  /** One new invitation with its log entry and its queued e-mail, in the caller's transaction. */
  private async insertInvite(
    trx: Knex.Transaction,
    actor: Actor,
    inviter: HostUser,
    account: InvitingAccount,
    to: { email: string; choice: AccessChoice; locale: string; until: number | null },
    now: number,
  ): Promise<{ inviteId: number; mail: ClaimedMail }> {
    const { email, choice, locale } = to;
    const lifetime = this.ctx.settings().inviteLifetimeDays * DAY;
    // The link's token is held only by the e-mail that goes out after the commit (and by no row).
    const { token, hash } = newToken();
    const inviteId = await this.repo.insert(trx, {
      accountId: account.id,
      email,
      tokenHash: hash,
      all: choice.all,
      keys: choice.keys,
      scopes: choice.scopes,
      invitedBy: inviter.id,
      invitedByAdmin: actor.type === 'admin' ? actor.id : null,
      locale,
      now,
      expiresAt: now + lifetime,
      accessUntil: to.until,
    });
    await writeLog(
      trx,
      actor,
      {
        accountId: account.id,
        action: 'invite_sent',
        targetEmail: email,
        details: {
          inviteId,
          permissions: accessDetail(choice),
          ...(to.until === null ? {} : { until: to.until }),
        },
      },
      now,
    );
    const mail = await this.queueInviteMail(
      trx,
      token,
      {
        accountId: account.id,
        inviteId,
        to: email,
        locale,
        inviterName: this.ctx.host.users.displayName(inviter),
        accountName: account.name,
        expiresAt: now + lifetime,
        access: this.accessSummary(locale, { allPermissions: choice.all, permissions: choice.keys }),
        allPermissions: choice.all,
        permissions: choice.keys,
      },
      now,
    );
    return { inviteId, mail };
  }

  /**
   * Invites several addresses with one access choice. Each address gets a result; those that can
   * be invited are counted against the user limit and the hourly limit together, under the
   * account's lock: when they do not all fit, nothing is sent and the refusal says how many fit.
   */
  async inviteMany(
    actor: Actor,
    inviter: HostUser,
    account: InvitingAccount,
    input: {
      addresses: Array<{ email: string; times: number }>;
      access: unknown;
      permissions: unknown;
      scopes?: AccessInput['scopes'];
      accessUntil?: number | null;
    },
    locale: string,
  ): Promise<{ outcomes: BulkOutcome[]; allPermissions: boolean; permissions: string[] }> {
    const { addresses } = input;
    if (addresses.length > BULK_MAX)
      throw Refusal.invalid(
        'invites.errors.bulkTooMany',
        { max: BULK_MAX, listed: addresses.length },
        { email: 'invites.errors.bulkTooManyField' },
      );
    const parsed = this.ctx.catalogue.parseChoice(input.access, input.permissions);
    if ('error' in parsed) throw Refusal.invalid('invites.errors.summary', {}, { permissions: parsed.error });
    const choice = await this.withScopes(account.id, { all: parsed.all, keys: parsed.keys }, input.scopes);
    await this.requireOpen(account);
    const { host } = this.ctx;
    const outcomes: BulkOutcome[] = addresses.map(({ email, times }) => ({
      email,
      times,
      result: isEmailAddress(email) ? 'sent' : 'invalid',
    }));
    // Host lookups use the host's own connection, so they run before the transaction.
    const users = new Map<string, HostUser | undefined>();
    for (const o of outcomes) if (o.result !== 'invalid') users.set(o.email, await host.users.findByEmail(o.email));
    const localeOf = (email: string) => users.get(email)?.locale || locale;
    const now = this.ctx.now();
    const mails = await retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        const locked = await this.lockAccount(trx, account.id);
        const accessUntil = input.accessUntil ?? null;
        requireGrantable(
          await this.members.grantorIn(trx, actor, account.id, locked),
          { ...choice, accessUntil },
          null,
        );
        const ownerAddress = await this.ownerAddress(trx, account.id, locked, inviter);
        const fresh: BulkOutcome[] = [];
        const expired: number[] = [];
        for (const o of outcomes) {
          if (o.result === 'invalid') continue;
          delete o.inviteId;
          const existingUser = users.get(o.email);
          const pending = await this.repo.pendingFor(account.id, o.email, trx);
          if (ownerAddress === o.email) o.result = 'ownAddress';
          else if (existingUser && (await this.membersRepo.find(account.id, existingUser.id, trx)))
            o.result = 'hasAccess';
          else if (pending && pending.expiresAt > now) {
            o.result = 'pending';
            o.inviteId = pending.id;
          } else {
            o.result = 'sent';
            fresh.push(o);
            if (pending) expired.push(pending.id);
          }
        }
        if (fresh.length === 0) return [];
        await this.checkRoomFor(trx, account.id, fresh.length, now);
        // An expired invitation to the same address is closed; the new one replaces it.
        for (const id of expired) await this.repo.clearPending(trx, id);
        const queued: ClaimedMail[] = [];
        for (const o of fresh) {
          const made = await this.insertInvite(
            trx,
            actor,
            inviter,
            account,
            { email: o.email, choice, locale: localeOf(o.email), until: input.accessUntil ?? null },
            now,
          );
          o.inviteId = made.inviteId;
          queued.push(made.mail);
        }
        return queued;
      }),
    );
    let i = 0;
    for (const o of outcomes) {
      if (o.result !== 'sent') continue;
      if (!(await this.mail.deliverClaimed(mails[i++]))) o.result = 'queued';
      await this.ctx.emit('AccountUserInvited', {
        accountId: account.id,
        inviteId: o.inviteId!,
        email: o.email,
        allPermissions: choice.all,
        permissions: choice.keys,
        resent: false,
        actor,
      });
    }
    return { outcomes, allPermissions: choice.all, permissions: choice.keys };
  }

  /**
   * Whether `count` new invitations fit both limits; when not, refused by the tighter one with how
   * many would fit.
   */
  private async checkRoomFor(trx: Knex.Transaction, accountId: number, count: number, now: number): Promise<void> {
    const { maxUsersPerAccount, invitesPerHour } = this.ctx.settings();
    const room =
      maxUsersPerAccount > 0
        ? maxUsersPerAccount -
          (await this.membersRepo.countMembers(accountId, '', trx)) -
          (await this.repo.countOpen(accountId, now, trx))
        : Infinity;
    const rate = invitesPerHour - (await this.repo.sendsSince(accountId, now - HOUR, trx));
    if (count <= Math.min(room, rate)) return;
    if (room <= rate)
      throw Refusal.invalid('invites.errors.bulkLimit', {
        max: maxUsersPerAccount,
        fits: Math.max(0, room),
        listed: count,
      });
    throw Refusal.rateLimited('invites.errors.bulkRate', {
      max: invitesPerHour,
      fits: Math.max(0, rate),
      listed: count,
    });
  }

  /**
   * Writes an invitation e-mail into the queue of the caller's transaction (what it says, never its
   * link), claimed for sending right after the commit with `token`, whose hash the invitation holds.
   */
  private queueInviteMail(
    trx: Knex.Transaction,
    token: string,
    mail: {
      accountId: number;
      inviteId: number;
      to: string;
      locale: string;
      inviterName: string;
      accountName: string;
      expiresAt: number;
      access: string;
      allPermissions: boolean;
      permissions: string[];
    },
    now: number,
  ): Promise<ClaimedMail> {
    const { accountId, inviteId, to, ...payload } = mail;
    return this.mail.queueClaimed(trx, { kind: 'invite', accountId, inviteId, to, payload }, token, now);
  }

  /**
   * A new link (the old one stops working at once) and a new expiry; the e-mail is queued and
   * retried. Within a minute of the last send nothing is changed (`justSent`): a double click
   * sends one e-mail.
   */
  async resend(
    actor: Actor,
    inviter: HostUser,
    account: InvitingAccount,
    inviteId: number,
    locale: string,
  ): Promise<Invite & { mailSent: boolean; justSent: boolean }> {
    const { host } = this.ctx;
    const now = this.ctx.now();
    const lifetime = this.ctx.settings().inviteLifetimeDays * DAY;
    const { token, hash } = newToken();
    const seen = await this.pendingOf(account.id, inviteId);
    await this.requireOpen(account);
    const existingUser = await host.users.findByEmail(seen.email);
    locale = existingUser?.locale || locale;
    const before = await retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        await this.lockAccount(trx, account.id);
        const invite = await this.repo.byId(account.id, inviteId, trx);
        if (!invite || !invite.pending) throw Refusal.notFound();
        // Read under the account's lock: of two clicks at once the second sees the first one's send.
        if (now - invite.lastSentAt < RESEND_INTERVAL_MS) return { invite, mail: null };
        // The address was given access another way since: a resent link would change nothing.
        if (existingUser && (await this.membersRepo.find(account.id, existingUser.id, trx))) {
          throw Refusal.invalid('invites.errors.hasAccess', { email: invite.email });
        }
        // An expired invitation did not count towards the user limit; sending it again does.
        if (invite.expiresAt <= now) await this.checkLimits(trx, account.id, now);
        else if ((await this.repo.sendsSince(account.id, now - HOUR, trx)) >= this.ctx.settings().invitesPerHour) {
          throw Refusal.rateLimited('invites.errors.rate', { count: this.ctx.settings().invitesPerHour });
        }
        await this.repo.reissue(trx, invite.id, {
          tokenHash: hash,
          expiresAt: now + lifetime,
          sentCount: invite.sentCount + 1,
          locale,
          now,
        });
        await writeLog(
          trx,
          actor,
          {
            accountId: account.id,
            action: 'invite_resent',
            targetEmail: invite.email,
            details: { inviteId: invite.id, sentCount: invite.sentCount + 1 },
          },
          now,
        );
        // The earlier e-mail, if it has not gone out yet, would carry a dead link: only the new one is sent.
        await this.mail.repo.dropUnsent(trx, invite.id);
        const mail = await this.queueInviteMail(
          trx,
          token,
          {
            accountId: account.id,
            inviteId: invite.id,
            to: invite.email,
            locale,
            inviterName: host.users.displayName(inviter),
            accountName: account.name,
            expiresAt: now + lifetime,
            access: this.accessSummary(locale, invite),
            allPermissions: invite.allPermissions,
            permissions: invite.permissions,
          },
          now,
        );
        return { invite, mail };
      }),
    );
    const { invite } = before;
    if (before.mail === null) return { ...invite, mailSent: false, justSent: true };
    const mailSent = await this.mail.deliverClaimed(before.mail);
    await this.ctx.emit('AccountUserInvited', {
      accountId: account.id,
      inviteId: invite.id,
      email: invite.email,
      allPermissions: invite.allPermissions,
      permissions: invite.permissions,
      resent: true,
      actor,
    });
    return { ...invite, mailSent, justSent: false };
  }

  async cancel(actor: Actor, accountId: number, inviteId: number): Promise<Invite> {
    const invite = await retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        const found = await this.repo.byId(accountId, inviteId, trx);
        if (!found || !found.pending) throw Refusal.notFound();
        const now = this.ctx.now();
        const changed = await this.repo.cancel(trx, found.id, now);
        if (Number(changed) !== 1) throw Refusal.notFound();
        await writeLog(
          trx,
          actor,
          { accountId, action: 'invite_cancelled', targetEmail: found.email, details: { inviteId: found.id } },
          now,
        );
        return found;
      }),
    );
    await this.ctx.emit('AccountUserInviteCancelled', { accountId, inviteId, email: invite.email, actor });
    return invite;
  }

  /**
   * Changes what a pending invitation grants, keeping its link and expiry. Returns the invitation
   * as it now is and whether anything changed; a bad choice is refused with the field's error.
   */
  async changeAccess(
    actor: Actor,
    accountId: number,
    inviteId: number,
    input: { access: unknown; permissions: unknown },
  ): Promise<{ invite: Invite; changed: boolean }> {
    const choice = this.ctx.catalogue.parseChoice(input.access, input.permissions);
    if ('error' in choice) throw Refusal.invalid('invites.errors.summary', {}, { permissions: choice.error });
    const outcome = await retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        const grantor = await this.members.grantorIn(trx, actor, accountId);
        const found = await this.repo.byId(accountId, inviteId, trx, true);
        if (!found || !found.pending) throw Refusal.notFound();
        // The invitation keeps its chosen services and domains: they are checked with the new keys.
        requireGrantable(grantor, { ...choice, scopes: found.scopes }, found);
        if (sameAccess(found, choice)) return { invite: found, changed: false };
        const now = this.ctx.now();
        if ((await this.repo.updateAccess(trx, found.id, choice.all, choice.keys)) !== 1) throw Refusal.notFound();
        const from = accessDetail({ all: found.allPermissions, keys: found.permissions });
        await writeLog(
          trx,
          actor,
          {
            accountId,
            action: 'invite_access_changed',
            targetEmail: found.email,
            details: { inviteId: found.id, from, to: accessDetail(choice) },
          },
          now,
        );
        return {
          invite: { ...found, allPermissions: choice.all, permissions: storedKeys(choice.all, choice.keys) },
          changed: true,
        };
      }),
    );
    return outcome;
  }

  /** A pending invitation of one of the owner's accounts (not found for others, as for ids that do not exist). */
  async pendingOf(accountId: number, inviteId: number): Promise<Invite> {
    const invite = await this.repo.byId(accountId, inviteId);
    if (!invite || !invite.pending) throw Refusal.notFound();
    return invite;
  }

  /**
   * The invitation a link opens, or undefined when it is unknown, used, cancelled, declined or
   * expired; with `viewerId`, also whether that person is a member of its account already.
   */
  async open(token: unknown, viewerId?: number): Promise<ValidInvitation | undefined> {
    if (!looksLikeToken(token)) return undefined;
    const found = await this.repo.inContext({ tokenHash: hashToken(token) }, viewerId);
    const valid = this.valid(found);
    return valid && viewerId !== undefined
      ? { ...valid, viewer: { userId: viewerId, member: Boolean(found?.viewerIsMember) } }
      : valid;
  }

  /**
   * The invitation, the account's name and the inviter's, while it can be accepted (in an open
   * account); all read with the invitation in one query.
   */
  private valid(found: InviteInContext | undefined): ValidInvitation | undefined {
    const now = this.ctx.now();
    if (!found) return undefined;
    const { invite, account, inviter } = found;
    if (!invite.pending || invite.cancelledAt !== null || invite.expiresAt <= now) return undefined;
    // The access it would give has already ended: nothing is left to accept.
    if (invite.accessUntil !== null && invite.accessUntil <= now) return undefined;
    const { host } = this.ctx;
    if (!account || !isOpenStatus(host.schema, account.status)) return undefined;
    return {
      invite,
      accountName: String(account.name),
      inviterName: inviter ? host.users.displayName(inviter) : '',
      ownerId: found.ownerId,
    };
  }

  /**
   * Accepts in one transaction: the invitation is claimed only while pending and unexpired, then
   * the membership is made with the invited access. An existing member keeps what they had.
   * Refused: a link that is not valid (not found), another address than the invited one when that
   * must match (forbidden), an account with no room (conflict; the invitation stays pending).
   */
  async accept(actor: Actor, user: HostUser, token: unknown): Promise<Accepted> {
    const valid = await this.open(token);
    if (!valid) return this.acceptedBefore(user, token);
    const { invite } = valid;
    if (this.ctx.settings().requireInvitedAddress && user.email.trim().toLowerCase() !== invite.email) {
      throw Refusal.forbidden('invitePage.wrongAddress', { invited: invite.email, current: user.email });
    }
    return this.join(actor, user, valid, hashToken(token as string), () => this.acceptedBefore(user, token));
  }

  /**
   * Accepts from the person's Invitations page: the same outcome as the e-mail link, for an
   * invitation addressed to their own e-mail address only (any other id is not found).
   */
  async acceptAddressed(actor: Actor, user: HostUser, inviteId: number): Promise<Accepted> {
    const before = () => this.acceptedAddressedBefore(user, inviteId);
    const valid = await this.addressed(user, inviteId);
    if (!valid) return before();
    return this.join(actor, user, valid, null, before);
  }

  /**
   * Claims the invitation (with the link's hash, or by id from the Invitations page) and makes the
   * membership, in one transaction; `lost` answers when the claim finds it taken.
   */
  private async join(
    actor: Actor,
    user: HostUser,
    valid: ValidInvitation,
    hash: string | null,
    lost: () => Promise<Accepted>,
  ): Promise<Accepted> {
    const { invite, accountName } = valid;
    const { maxUsersPerAccount } = this.ctx.settings();
    // Two claims can deadlock on MySQL; the loser tries again and then finds the invitation taken.
    const result = await retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        const now = this.ctx.now();
        // A full account keeps the invitation pending: counted under the account's lock, members only.
        if (maxUsersPerAccount > 0) {
          await this.lockAccount(trx, invite.accountId);
          const member = await this.membersRepo.find(invite.accountId, user.id, trx);
          if (!member && (await this.membersRepo.countMembers(invite.accountId, '', trx)) >= maxUsersPerAccount)
            return 'full' as const;
        }
        if (!(await this.repo.claim(trx, invite.id, hash, user.id, now))) return undefined;
        const choice = { all: invite.allPermissions, keys: invite.permissions, scopes: invite.scopes };
        const added = await this.members.add(
          actor,
          {
            accountId: invite.accountId,
            userId: user.id,
            choice,
            invitedBy: invite.invitedBy,
            accessUntil: invite.accessUntil,
            // The session enters the account right after (enterJoined): its last login moves in this transaction.
            lastLoginAt: now,
            action: 'invite_accepted',
            targetEmail: invite.email,
          },
          trx,
        );
        if (!added.created) {
          await this.membersRepo.touchLastLogin(invite.accountId, user.id, now, trx);
          await writeLog(
            trx,
            actor,
            {
              accountId: invite.accountId,
              action: 'invite_accepted',
              targetUserId: user.id,
              targetEmail: invite.email,
              details: { inviteId: invite.id, existingMember: true },
            },
            now,
          );
        }
        return added;
      }),
    );
    if (!result) return lost();
    if (result === 'full')
      throw Refusal.conflict('invitePage.fullText', { account: accountName, max: maxUsersPerAccount });
    await this.ctx.emit('AccountUserInviteAccepted', {
      accountId: invite.accountId,
      inviteId: invite.id,
      userId: user.id,
      email: invite.email,
      created: result.created,
      actor,
    });
    if (this.ctx.settings().notifyOwnerOnAccept) await this.notifyOwner(valid, user);
    return { accountId: invite.accountId, accountName, created: result.created, lastLoginMoved: true };
  }

  /** A valid invitation addressed to the user's own e-mail address, or undefined (another's, used, expired…). */
  private async addressed(user: HostUser, inviteId: number): Promise<ValidInvitation | undefined> {
    const found = await this.repo.inContext({ id: inviteId });
    if (!found || found.invite.email !== normaliseEmail(user.email)) return undefined;
    return this.valid(found);
  }

  /** A second click on Accept by the person who accepted it goes to the account; anything else is not found. */
  private async acceptedAddressedBefore(user: HostUser, inviteId: number): Promise<Accepted> {
    const invite = await this.repo.find(inviteId);
    if (!invite || invite.acceptedBy !== user.id) throw Refusal.notFound();
    const membership = await this.membersRepo.membership(invite.accountId, user.id);
    if (!membership || !membership.accountOpen || accessEnded(membership, this.ctx.now())) throw Refusal.notFound();
    return { accountId: invite.accountId, accountName: membership.accountName, created: false };
  }

  /**
   * The invitations the user can accept now, across accounts: pending, unexpired, in an open account
   * and addressed to their own e-mail address (whatever requireInvitedAddress says), newest first.
   */
  async addressedTo(user: HostUser): Promise<Array<AddressedInvite & { inviterName: string }>> {
    const invites = await this.repo.addressedTo(normaliseEmail(user.email), this.ctx.now(), ADDRESSED_MAX);
    const { host } = this.ctx;
    const inviterIds = [...new Set(invites.map((i) => i.invitedBy).filter((id): id is number => id !== null))];
    const inviters = new Map<number, string>();
    for (const id of inviterIds) {
      const inviter = await host.users.findById(id);
      if (inviter) inviters.set(id, host.users.displayName(inviter));
    }
    return invites.map((i) => ({ ...i, inviterName: (i.invitedBy && inviters.get(i.invitedBy)) || '' }));
  }

  /** How many invitations `addressedTo` lists (the account menu's count). */
  countAddressedTo(user: HostUser): Promise<number> {
    return this.repo.countAddressedTo(normaliseEmail(user.email), this.ctx.now());
  }

  /**
   * The invitee declines an invitation addressed to them: it ends (its link no longer works, the
   * owner may invite again), `invite_declined` is logged, and the owner is told when the setting
   * says so. Of a decline and an accept at once exactly one happens; the other finds it gone (not found).
   */
  async decline(actor: Actor, user: HostUser, inviteId: number): Promise<{ accountName: string }> {
    const valid = await this.addressed(user, inviteId);
    if (!valid) throw Refusal.notFound();
    const { invite, accountName } = valid;
    const declined = await retryOnDeadlock(() =>
      this.ctx.knex.transaction(async (trx) => {
        const now = this.ctx.now();
        if (!(await this.repo.decline(trx, invite.id, user.id, now))) return false;
        await writeLog(
          trx,
          actor,
          {
            accountId: invite.accountId,
            action: 'invite_declined',
            targetUserId: user.id,
            targetEmail: invite.email,
            details: { inviteId: invite.id },
          },
          now,
        );
        return true;
      }),
    );
    if (!declined) throw Refusal.notFound();
    await this.ctx.emit('AccountUserInviteDeclined', {
      accountId: invite.accountId,
      inviteId: invite.id,
      userId: user.id,
      email: invite.email,
      actor,
    });
    if (this.ctx.settings().notifyOwnerOnDecline) await this.notifyOwnerOfDecline(invite, user, accountName);
    return { accountName };
  }

  private async notifyOwnerOfDecline(invite: Invite, user: HostUser, accountName: string): Promise<void> {
    const { host } = this.ctx;
    const owner = await this.membersRepo.owner(invite.accountId);
    if (!owner) return;
    const locale = readerLocale(await host.users.findById(owner.userId), invite.locale ?? undefined);
    const name = host.users.displayName(user);
    await sendNoticeQuietly(
      this.ctx,
      {
        to: owner.email,
        locale,
        subjectKey: 'email.declined.subject',
        params: { account: accountName, name },
        lines: [{ key: 'email.declined.text', params: { name, email: invite.email, account: accountName } }],
        action: { key: 'email.declined.manage', url: this.clientUrl('/users') },
      },
      'declined invitation',
    );
  }

  /** The account's invitations declined within the last week, for User Management (at most `limit`). */
  declinedRecently(accountId: number, limit: number): Promise<Invite[]> {
    return this.repo.declinedSince(accountId, this.ctx.now() - DECLINED_SHOWN_MS, limit);
  }

  /** Whether one more member fits the account now (a check before registering; accepting checks again under lock). */
  async hasRoom(accountId: number): Promise<boolean> {
    const { maxUsersPerAccount } = this.ctx.settings();
    return maxUsersPerAccount === 0 || (await this.membersRepo.countMembers(accountId, '')) < maxUsersPerAccount;
  }

  /** A second click by the person who already accepted goes to the account; any other used link is not valid. */
  private async acceptedBefore(user: HostUser, token: unknown): Promise<Accepted> {
    if (!looksLikeToken(token)) throw Refusal.notFound();
    const invite = await this.repo.byTokenHash(hashToken(token));
    if (!invite || invite.acceptedBy !== user.id) throw Refusal.notFound();
    const membership = await this.membersRepo.membership(invite.accountId, user.id);
    if (!membership || !membership.accountOpen || accessEnded(membership, this.ctx.now())) throw Refusal.notFound();
    return { accountId: invite.accountId, accountName: membership.accountName, created: false };
  }

  /** The owner (as read with the invitation) hears of the acceptance, in their language. */
  private async notifyOwner(valid: ValidInvitation, user: HostUser): Promise<void> {
    const { host } = this.ctx;
    const { invite, accountName, ownerId } = valid;
    try {
      if (ownerId === undefined || ownerId === user.id) return;
      const owner = await host.users.findById(ownerId);
      if (!owner) return;
      const locale = owner.locale || invite.locale || 'en';
      await sendAcceptedMail(this.ctx, {
        to: owner.email,
        locale,
        accountName,
        userName: host.users.displayName(user),
        userEmail: user.email,
        access: this.accessSummary(locale, invite),
        usersUrl: this.clientUrl('/users'),
      });
    } catch (err) {
      // The acceptance stands; only the courtesy e-mail is lost.
      host.logger.error('owner could not be told of an accepted invitation', {
        err: String(err),
        accountId: invite.accountId,
      });
    }
  }
}
