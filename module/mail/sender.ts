import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ModuleContext } from '../context';
import { sendInviteMail, type InviteMail } from '../invites/mail';
import { newToken } from '../invites/token';
import { InvitesRepo } from '../invites/repo';
import { MailQueueRepo, type QueuedMail } from './queue-repo';
import { retryOnDeadlock } from '../deadlock';

/** A message claimed by this sender, with its link's token (never stored). */
export interface ClaimedMail {
  mail: QueuedMail;
  claimant: string;
  token: string;
}

/** Tells one sender's claim from another's. */
const newClaimant = () => crypto.randomBytes(12).toString('hex');

/** Minutes to wait before each further attempt; after the last one the message is given up. */
export const RETRY_MINUTES = [1, 5, 15, 60, 180, 360, 720];
const MINUTE = 60_000;

/**
 * Sends what the queue holds, after the commit that wrote it. Each message is claimed by one
 * sender before it goes out and is never claimed again once sent or in flight, so two app
 * instances never send it twice; a failed attempt is tried again later.
 */
export class MailSender {
  readonly repo: MailQueueRepo;
  private readonly invites: InvitesRepo;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly inviteLink: (token: string) => string,
  ) {
    this.repo = new MailQueueRepo(ctx.knex);
    this.invites = new InvitesRepo(ctx.knex);
  }

  /**
   * Sends one message now if it is due and nobody else has it; true when it went out. Never throws:
   * the message is already committed, and a later pass tries again what this one could not.
   */
  async deliver(id: number): Promise<boolean> {
    try {
      return await this.attempt(id);
    } catch (err) {
      this.ctx.host.logger.warn('queued e-mail not sent now; a later pass tries again', {
        mailId: id,
        err: String(err),
      });
      return false;
    }
  }

  /**
   * Queues an invitation's e-mail in the caller's transaction, claimed by this sender at once, for
   * `deliverClaimed` after the commit. The caller wrote the invitation with the hash of `token` in
   * the same transaction, so no second transaction is needed to claim the message and make its
   * link. The token stays in memory only; if this attempt fails, the retry makes a new one.
   */
  async queueClaimed(
    trx: Knex.Transaction,
    mail: { kind: 'invite'; accountId: number; inviteId: number; to: string; payload: Record<string, unknown> },
    token: string,
    now: number,
  ): Promise<ClaimedMail> {
    const claimant = newClaimant();
    const id = await this.repo.enqueue(trx, mail, now, claimant);
    return {
      claimant,
      token,
      mail: { ...mail, id, status: 'sending', attempts: 1, nextAttemptAt: now },
    };
  }

  /** Sends a message queued by `queueClaimed`, after its commit; true when it went out. Never throws. */
  async deliverClaimed(claimed: ClaimedMail): Promise<boolean> {
    try {
      return await this.sendClaimed(claimed.mail, claimed.claimant, claimed.token);
    } catch (err) {
      this.ctx.host.logger.warn('queued e-mail not sent now; a later pass tries again', {
        mailId: claimed.mail.id,
        err: String(err),
      });
      return false;
    }
  }

  private async attempt(id: number): Promise<boolean> {
    const { ctx } = this;
    const claimant = newClaimant();
    const now = ctx.now();
    // The queue pass of another app instance may claim the same message at once (on Galera through another node).
    const claimed = await retryOnDeadlock(() =>
      ctx.knex.transaction(async (trx) => {
        const mail = await this.repo.claim(trx, id, claimant, now);
        if (!mail) return undefined;
        if (mail.kind !== 'invite' || mail.inviteId === null) return { mail, token: undefined };
        // The link's secret is made here and only its hash kept; an invitation no longer pending gets no mail.
        const { token, hash } = newToken();
        return { mail, token: (await this.invites.setTokenHash(trx, mail.inviteId, hash, now)) ? token : null };
      }),
    );
    if (!claimed) return false;
    if (claimed.token === null) {
      await this.repo.finish(id, claimant, 'dropped', now);
      return false;
    }
    return this.sendClaimed(claimed.mail, claimant, claimed.token);
  }

  /** Sends a message this sender has claimed: `sent` when it went out, else queued for the next attempt. */
  private async sendClaimed(mail: QueuedMail, claimant: string, token: string | undefined): Promise<boolean> {
    const { ctx } = this;
    const now = ctx.now();
    try {
      await this.send(mail, token);
    } catch (err) {
      const wait = RETRY_MINUTES[mail.attempts - 1];
      await this.repo.retry(mail.id, claimant, wait === undefined ? null : now + wait * MINUTE, String(err));
      ctx.host.logger.warn('queued e-mail not sent; it will be tried again', {
        mailId: mail.id,
        attempts: mail.attempts,
        err: String(err),
      });
      return false;
    }
    await this.repo.finish(mail.id, claimant, 'sent', ctx.now());
    return true;
  }

  /** Sends every message that is due (a periodic pass of each app instance); returns how many went out. */
  async deliverDue(limit = 50): Promise<number> {
    if (!this.ctx.host.isActive()) return 0;
    let sent = 0;
    for (const id of await this.repo.due(this.ctx.now(), limit)) {
      if (await this.attempt(id)) sent += 1;
    }
    return sent;
  }

  /** Starts the periodic pass; returns the function that stops it. */
  start(intervalMs = 30_000): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.deliverDue()
        .catch((err: unknown) => this.ctx.host.logger.warn('mail queue pass failed', { err: String(err) }))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private send(mail: QueuedMail, token: string | undefined): Promise<void> {
    if (mail.kind === 'invite' && token) {
      return sendInviteMail(this.ctx, {
        ...(mail.payload as unknown as Omit<InviteMail, 'to' | 'link'>),
        to: mail.to,
        link: this.inviteLink(token),
      });
    }
    throw new Error(`unknown mail kind: ${mail.kind}`);
  }
}
