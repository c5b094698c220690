import type { Knex } from 'knex';
import type { Portal } from '../../host/app';
import { hashPassword } from '../../host/passwords';
import { InvitesRepo } from '../../module/invites/repo';
import { newToken } from '../../module/invites/token';
import { TABLES } from '../../module/tables';
import { firstRow } from './db';

let cachedHash: Promise<string> | undefined;
let seq = 0;

/** Builders for the rows tests need, each with overridable values. */
export class Factories {
  static readonly PASSWORD = 'test-password-1';

  /** `now` is the portal's clock, so rows made here and requests agree on the time. */
  constructor(
    private readonly knex: Knex,
    private readonly portal: Portal,
    private readonly now: () => number = Date.now,
  ) {}

  private hash(): Promise<string> {
    cachedHash ??= hashPassword(Factories.PASSWORD);
    return cachedHash;
  }

  async user(
    overrides: Partial<{ email: string; firstName: string; lastName: string; locale: string | null }> = {},
  ): Promise<{ id: number; email: string }> {
    seq += 1;
    const email = overrides.email ?? `user${seq}-${Date.now()}@example.test`;
    const [id] = await this.knex('users').insert({
      email,
      password_hash: await this.hash(),
      first_name: overrides.firstName ?? `First${seq}`,
      last_name: overrides.lastName ?? `Last${seq}`,
      locale: overrides.locale ?? null,
      created_at: Date.now(),
    });
    return { id: Number(id), email };
  }

  async admin(overrides: Partial<{ email: string; name: string }> = {}): Promise<{ id: number; email: string }> {
    seq += 1;
    const email = overrides.email ?? `admin${seq}@example.test`;
    const [id] = await this.knex('admins').insert({
      email,
      password_hash: await this.hash(),
      name: overrides.name ?? `Admin ${seq}`,
    });
    return { id: Number(id), email };
  }

  /** An account whose primary user becomes its owner (as activation does). */
  async account(
    overrides: Partial<{ name: string; ownerId: number; status: string }> = {},
  ): Promise<{ id: number; ownerId: number; name: string }> {
    seq += 1;
    const ownerId = overrides.ownerId ?? (await this.user()).id;
    const name = overrides.name ?? `Account ${seq}`;
    const [id] = await this.knex('accounts').insert({
      name,
      email: `billing${seq}@example.test`,
      status: overrides.status ?? 'active',
      primary_user_id: ownerId,
      created_at: Date.now(),
    });
    const accountId = Number(id);
    if (await this.portal.accountUsers.installed()) {
      await this.knex(TABLES.members).insert({
        account_id: accountId,
        user_id: ownerId,
        is_owner: true,
        all_permissions: true,
        permissions: '[]',
        invited_by: null,
        created_at: Date.now(),
        updated_at: Date.now(),
        last_login_at: null,
      });
    }
    return { id: accountId, ownerId, name };
  }

  /** A membership: `permissions` 'all' or a list of keys. */
  async member(
    accountId: number,
    userId: number,
    permissions: 'all' | string[] = 'all',
    extra: Partial<{ lastLoginAt: number }> = {},
  ): Promise<void> {
    await this.knex(TABLES.members).insert({
      account_id: accountId,
      user_id: userId,
      is_owner: null,
      all_permissions: permissions === 'all',
      permissions: JSON.stringify(permissions === 'all' ? [] : permissions),
      invited_by: null,
      created_at: Date.now(),
      updated_at: Date.now(),
      last_login_at: extra.lastLoginAt ?? null,
    });
  }

  async service(accountId: number, overrides: Partial<{ product: string; status: string }> = {}): Promise<number> {
    const [id] = await this.knex('services').insert({
      account_id: accountId,
      product: overrides.product ?? 'Hosting',
      domain: 'example.test',
      status: overrides.status ?? 'Active',
      amount_cents: 500,
      billing_cycle: 'Monthly',
      next_due_date: '2027-01-01',
    });
    return Number(id);
  }

  async invoice(accountId: number, overrides: Partial<{ number: string; status: string }> = {}): Promise<number> {
    const [id] = await this.knex('invoices').insert({
      account_id: accountId,
      number: overrides.number ?? `INV-${++seq}`,
      issued_on: '2026-11-01',
      due_on: '2026-11-15',
      total_cents: 1000,
      status: overrides.status ?? 'Unpaid',
    });
    return Number(id);
  }

  /**
   * A pending invitation as the invite form leaves it (written by the module's own insert, its
   * e-mail sent once, nothing logged or mailed here), for tests that only need one to exist; its
   * `path` (/account/invite/<token>) opens it. Permission keys are stored as given. From the account's
   * owner unless `invitedBy` says otherwise; valid for the lifetime in the settings.
   */
  async invite(
    accountId: number,
    overrides: Partial<{
      email: string;
      permissions: 'all' | string[];
      invitedBy: number | null;
      locale: string | null;
      createdAt: number;
      expiresAt: number;
    }> = {},
  ): Promise<{ id: number; email: string; token: string; hash: string; path: string }> {
    seq += 1;
    const email = (overrides.email ?? `invitee${seq}@example.test`).toLowerCase();
    const now = overrides.createdAt ?? this.now();
    const expiresAt =
      overrides.expiresAt ?? now + this.portal.accountUsers.settings.current().inviteLifetimeDays * 24 * 3600_000;
    const owner = await firstRow({ knex: this.knex }, TABLES.members, { account_id: accountId, is_owner: true });
    const invitedBy = overrides.invitedBy !== undefined ? overrides.invitedBy : owner ? Number(owner.user_id) : null;
    const permissions = overrides.permissions ?? 'all';
    const { token, hash } = newToken();
    const id = await new InvitesRepo(this.knex).insert(this.knex, {
      accountId,
      email,
      tokenHash: hash,
      all: permissions === 'all',
      keys: permissions === 'all' ? [] : permissions,
      invitedBy,
      locale: overrides.locale !== undefined ? overrides.locale : 'en',
      now,
      expiresAt,
    });
    return { id, email, token, hash, path: `/account/invite/${token}` };
  }
}
