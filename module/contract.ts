import type { Knex } from 'knex';
import type { Request, Response } from 'express';

/** One person with one login, as the host knows them. */
export interface HostUser {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  locale?: string | null;
}

/** The billable party. A closed account is shown but can not be opened. */
export interface HostAccount {
  id: number;
  name: string;
  status: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Logger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

export type HookHandler = (payload: any) => unknown;

/** The host's hook registry (WHMCS style): the module registers, the host fires. */
export interface HookRegistry {
  on(name: string, handler: HookHandler, priority?: number): void;
  off(name: string, handler: HookHandler): void;
  emit(name: string, payload: unknown): Promise<void>;
}

/**
 * Where the host keeps users and accounts. The module only reads these tables, to page and search
 * members and accounts in the database with a join; every write goes through `users` and `accounts`.
 */
export interface HostSchema {
  users: { table: string; id: string; email: string; firstName: string; lastName: string };
  accounts: { table: string; id: string; name: string; status: string; openStatus: string };
}

/** One entry of the host's navigation; `permission` names the key a user needs to see it. */
export interface MenuItem {
  id: string;
  label: string;
  href?: string;
  permission?: string;
  order?: number;
  badge?: string;
  children?: MenuItem[];
}

/** Payload of ClientAreaNavbar: the two menus of the client area, changed in place by listeners. */
export interface NavbarPayload {
  primary: MenuItem[];
  account: MenuItem[];
  req: Request;
  res: Response;
}

/** Payload of UserLogin: a listener may set `redirect` to send the user somewhere first. */
export interface UserLoginPayload {
  user: HostUser;
  req: Request;
  returnTo?: string;
  redirect?: string;
}

export interface PageOptions {
  title: string;
  body: string;
  status?: number;
}

export interface HostContract {
  knex: Knex;
  schema: HostSchema;
  users: {
    findById(id: number): Promise<HostUser | undefined>;
    findByEmail(email: string): Promise<HostUser | undefined>;
    /** Creates a user who registered from an invitation; the e-mail counts as verified. */
    create(input: { email: string; firstName: string; lastName: string; password: string; locale?: string }): Promise<HostUser>;
    displayName(user: HostUser): string;
  };
  accounts: {
    findByIds(ids: number[]): Promise<HostAccount[]>;
    /** The one person each account had before the module existed; they become its owner. */
    primaryUsers(): Promise<Array<{ accountId: number; userId: number }>>;
  };
  mailer: { send(message: MailMessage): Promise<void> };
  hooks: HookRegistry;
  /** Values the admin saved for the settings of module.json; read on every use, so changes apply at once. */
  settings: () => Record<string, unknown>;
  /** Whether the admin has the module switched on. */
  isActive: () => boolean;
  /** Absolute base URL of the portal for links in e-mails; never taken from request headers. */
  baseUrl: string;
  logger: Logger;
  /** The hosting company's staff member signed in to the admin area, if any. */
  admins: { current(req: Request): { id: number; name: string } | undefined };
  /** Host pages the module links to. */
  urls: { login: string; logout: string; home: string };
  /** Wraps a module page in the host's layout; without it the module uses a plain layout of its own. */
  renderPage?: (req: Request, res: Response, page: PageOptions) => void;
  /** Milliseconds since the epoch; tests inject a clock to cross expiry boundaries. */
  now?: () => number;
}
