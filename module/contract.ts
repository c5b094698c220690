import type { Knex } from 'knex';
import type { Request, Response } from 'express';

/**
 * The host contract: everything a portal gives the module, each member with why it is needed.
 * A host's other obligations are the lines of the README's host checklist; nothing else is asked.
 */

/** One person with one login, as the module needs them (the host maps its own user objects). */
export interface HostUser {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  /** BCP 47 tag of the language the person chose (e.g. "de", "pt-BR"); null when none. */
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HookHandler = (payload: any) => unknown;

/**
 * The host's hook registry (WHMCS style): the module registers, the host fires.
 * Semantics the module relies on: `emit` awaits the handlers of a name one after another in
 * priority order (lower first, default 10); a handler that throws or rejects is logged and the
 * others still run, and `emit` itself never rejects, so a module can never break a host page.
 */
export interface HookRegistry {
  on(name: string, handler: HookHandler, priority?: number): void;
  off(name: string, handler: HookHandler): void;
  emit(name: string, payload: unknown): Promise<void>;
}

/**
 * Where the host keeps users and accounts. The module only reads these tables, to page and search
 * members and accounts in the database with a join; every write goes through `users` and `accounts`.
 * Searches match the start of `email`, `firstName`, `lastName` and of the account `name`: give
 * each of these columns a (B-tree) index, or every search reads the whole table. On MySQL/MariaDB
 * the column's collation decides how case and accents fold.
 */
export interface HostSchema {
  users: { table: string; id: string; email: string; firstName: string; lastName: string };
  accounts: {
    table: string;
    id: string;
    /**
     * The account's name: a column, or an SQL expression over the accounts table in which `{a}`
     * stands for the table's alias, e.g. `COALESCE(NULLIF({a}.companyname, ''), {a}.firstname)`.
     */
    name: string | { sql: string };
    status: string;
    /** Every status value in which an account can be opened (e.g. ['Active']). */
    openStatuses: string[];
  };
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
  /** A second, quieter line under the label (e.g. an account's domain). */
  detail?: string;
  /** Starts a group of its own: the host draws a separator line before the item. */
  separator?: boolean;
  /**
   * The item is an action, not a page: the host renders a form whose submit button reads `label`.
   * `href` stays a working link for a host that renders links only.
   */
  form?: MenuForm;
}

/** A form in a menu: a one-click POST (hidden fields only) or a small GET search (one text field). */
export interface MenuForm {
  method: 'GET' | 'POST';
  action: string;
  /** Hidden fields, in order: the module's own CSRF token on a POST, ids, the page to return to. */
  fields: Record<string, string>;
  /** A text field the person fills in (a search box): its name and its visible label. */
  input?: { name: string; label: string };
}

/** Payload of ClientAreaNavbar: the two menus of the client area, changed in place by listeners. */
export interface NavbarPayload {
  primary: MenuItem[];
  account: MenuItem[];
  req: Request;
  res: Response;
}

/** Payload of AdminNavbar: the admin menu, changed in place; the module translates its own label. */
export interface AdminNavbarPayload {
  menu: MenuItem[];
  req: Request;
}

/** Payload of UserLogin: a listener may set `redirect` to send the user somewhere first. */
export interface UserLoginPayload {
  user: HostUser;
  req: Request;
  returnTo?: string;
  redirect?: string;
}

/** Payload of AccountCreated: a new account whose primary user becomes its owner. */
export interface AccountCreatedPayload {
  accountId: number;
}

export interface AccountDeletedPayload {
  accountId: number;
}

export interface UserDeletedPayload {
  userId: number;
}

/** The hooks the host fires and the module listens to (see hooks.ts). */
export interface HostHookPayloads {
  ClientAreaNavbar: NavbarPayload;
  AdminNavbar: AdminNavbarPayload;
  UserLogin: UserLoginPayload;
  AccountCreated: AccountCreatedPayload;
  AccountDeleted: AccountDeletedPayload;
  UserDeleted: UserDeletedPayload;
}

/** A translated message of the module (after an action), for the host's layout to show. */
export interface PageMessage {
  type: 'success' | 'error' | 'info';
  text: string;
}

export interface PageOptions {
  title: string;
  /** HTML of the page's content (escaped by the module), to be placed in the host's main area. */
  body: string;
  status?: number;
  /** Which part of the portal the page belongs to, so the host picks its client or admin layout. */
  area: 'client' | 'admin';
  /** The module's messages for this request; the host shows them above the body. */
  messages: PageMessage[];
}

/** Where a module page's "sign out" button goes, in the host's own way of signing out. */
export interface SignOutAction {
  href: string;
  method: 'GET' | 'POST';
  /** Hidden fields the host's sign-out form needs (its own CSRF token, say). */
  fields?: (req: Request) => Record<string, string>;
}

/** Where the module keeps its settings; by default a table of its own. */
export interface SettingsStore {
  load(): Promise<Record<string, unknown>>;
  save(values: Record<string, unknown>): Promise<void>;
}

export interface HostContract {
  /** The host's database; the module's tables live beside the host's, all prefixed mod_account_users_. */
  knex: Knex;
  /** Read-only layout of the host's users and accounts tables, for joins, paging and search in SQL. */
  schema: HostSchema;
  users: {
    findById(id: number): Promise<HostUser | undefined>;
    findByEmail(email: string): Promise<HostUser | undefined>;
    /** Creates a user who registered from an invitation; the e-mail counts as verified. */
    create(input: {
      email: string;
      firstName: string;
      lastName: string;
      password: string;
      locale?: string;
    }): Promise<HostUser>;
    /** The name the host shows for a person; used on every page, log entry and e-mail. */
    displayName(user: HostUser): string;
    /** The signed-in person of a request in the module's shape; without it `req.user` must have that shape. */
    fromRequest?(req: Request): HostUser | undefined;
    /**
     * Signs in a person who registered from an invitation, with the host's own login steps
     * (new session id, its bookkeeping) and its `UserLogin` hook. Resolves to where to go next
     * (the hook's redirect), or undefined for the module to decide.
     */
    signIn(req: Request, user: HostUser, returnTo?: string): Promise<string | undefined>;
    /**
     * Optional: whether `password` is this person's current password, checked with the host's own
     * hashing. An owner confirms a hand-over of ownership with it; without it the hand-over is not offered.
     */
    verifyPassword?(userId: number, password: string): Promise<boolean>;
  };
  accounts: {
    findByIds(ids: number[]): Promise<HostAccount[]>;
    /** The one person each account had before the module existed; they become its owner. */
    primaryUsers(): Promise<Array<{ accountId: number; userId: number }>>;
    /** The primary user of one account (AccountCreated, and the sign-in repair of an ownerless account). */
    primaryUserOf(accountId: number): Promise<number | undefined>;
    /** The accounts whose primary user this person is (the sign-in repair of ownerless accounts). */
    primaryAccountsOf(userId: number): Promise<number[]>;
    /**
     * Optional: one short line per account that tells accounts with similar names apart (its main
     * domain, its contact's name), shown under the name on Switch Account and in the account menu.
     * Called with at most one page of ids (20); ids missing from the map get no second line.
     */
    describe?(ids: number[]): Promise<Map<number, string>>;
    /**
     * Optional: one account's own services (`products`) or domains, each with its id and a label
     * the owner recognises (product and domain, a domain's name). With it the access forms offer
     * "all" or chosen items for the services and domains permissions, and `allowedResourceIds` and
     * the guard's `resource` option narrow a member to them; without it access covers every item.
     */
    resources?(accountId: number, kind: 'products' | 'domains'): Promise<Array<{ id: number; label: string }>>;
  };
  mailer: { send(message: MailMessage): Promise<void> };
  hooks: HookRegistry;
  /** Where the module keeps the settings its admin page saves; default: the module's own table. */
  settingsStore?: SettingsStore;
  /** Whether the admin has the module switched on; asked on every request (cache it if it is slow). */
  isActive: () => boolean | Promise<boolean>;
  /** Absolute base URL of the portal for links in e-mails; never taken from request headers. */
  baseUrl: string;
  /**
   * The hosting company as its customers know it. The module's e-mails name it in the subject,
   * at the top and in the footer, so the reader knows who writes; without it they name the host
   * name of `baseUrl` (e.g. "portal.example.com").
   */
  brand?: { name: string };
  logger: Logger;
  /** The hosting company's staff member signed in to the admin area, if any. */
  admins: { current(req: Request): { id: number; name: string } | undefined };
  /**
   * Host pages the module links to. Visitors who must sign in go to `${login}?returnTo=<path>`
   * (the host's own sign-in form, whatever its field names), and come back there afterwards.
   */
  urls: { login: string; home: string; signOut: SignOutAction };
  /** The language of a request (BCP 47); default: the person's locale, then Accept-Language. */
  locale?(req: Request): string | undefined;
  /** The IANA time zone dates are shown in for a request; default UTC. */
  timeZone?(req: Request): string;
  /**
   * Wraps a module page in the host's layout and sends it; without it the module uses a plain
   * layout of its own. It may be async: a rejection reaches Express's error handling.
   */
  renderPage?: (req: Request, res: Response, page: PageOptions) => void | Promise<void>;
  /** Milliseconds since the epoch; tests inject a clock to cross expiry boundaries. */
  now?: () => number;
}

/** Who did something, as the module's events and log name them. */
export interface EventActor {
  type: 'user' | 'admin' | 'system';
  id: number | null;
  name: string;
  ip?: string | null;
}

/** The events the module emits through the host's registry, for a host or another module to listen to. */
export interface ModuleEventPayloads {
  AccountUserInvited: {
    accountId: number;
    inviteId: number;
    email: string;
    allPermissions: boolean;
    permissions: string[];
    resent: boolean;
    actor: EventActor;
  };
  AccountUserInviteAccepted: {
    accountId: number;
    inviteId: number;
    userId: number;
    email: string;
    created: boolean;
    actor: EventActor;
  };
  AccountUserInviteCancelled: { accountId: number; inviteId: number; email: string; actor: EventActor };
  /** The invitee declined it from their Invitations page. */
  AccountUserInviteDeclined: { accountId: number; inviteId: number; userId: number; email: string; actor: EventActor };
  AccountUserPermissionsChanged: {
    accountId: number;
    userId: number;
    allPermissions: boolean;
    permissions: string[];
    previous: { allPermissions: boolean; permissions: string[] };
    actor: EventActor;
  };
  AccountUserRemoved: { accountId: number; userId: number; left: boolean; actor: EventActor };
  /** Read the stored owner with `ownerOf(accountId)`: events of moves made at once may arrive out of order. */
  AccountOwnerChanged: { accountId: number; userId: number; previousOwnerId: number | null; actor: EventActor };
  AccountSwitched: { userId: number; accountId: number; previousAccountId: number | null };
}
