import { TABLES } from '../../module/tables';

// The rows tests read back, column for column as the migrations make them (host/migrations,
// migrations/). Both databases give booleans back as 0/1 and big integers as numbers.

/** A boolean column as read: 0 or 1. */
export type Flag = number;

/** What a JSON column holds; SQL NULL reads as null, as `JSON.parse(null)` gives. */
export function fromJson(text: string | null): unknown {
  return JSON.parse(text ?? 'null');
}

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  locale: string | null;
  created_at: number;
}

export interface AccountRow {
  id: number;
  name: string;
  email: string;
  address: string;
  city: string;
  postcode: string;
  country: string;
  phone: string;
  status: string;
  primary_user_id: number;
  created_at: number;
}

export interface ServiceRow {
  id: number;
  account_id: number;
  product: string;
  domain: string;
  status: string;
  amount_cents: number;
  billing_cycle: string;
  next_due_date: string;
}

export interface DomainRow {
  id: number;
  account_id: number;
  name: string;
  status: string;
  expires_on: string;
  auto_renew: Flag;
}

export interface InvoiceRow {
  id: number;
  account_id: number;
  number: string;
  issued_on: string;
  due_on: string;
  total_cents: number;
  status: string;
}

export interface AdminRow {
  id: number;
  email: string;
  password_hash: string;
  name: string;
}

/** An e-mail the portal's mailer delivered (the test portal keeps them in a table). */
export interface OutboxRow {
  id: number;
  to_address: string;
  subject: string;
  text: string;
  html: string;
  created_at: number;
}

/** A stored session; `sess` is the session as JSON. */
export interface SessionRow {
  sid: string;
  sess: string;
  /** A date-time column: a Date from MariaDB, a number or string from SQLite. */
  expired: Date | number | string;
}

export interface MemberRow {
  id: number;
  account_id: number;
  user_id: number;
  /** 1 for the owner, null for everyone else (one owner per account is a unique key). */
  is_owner: Flag | null;
  all_permissions: Flag;
  /** JSON list of permission keys. */
  permissions: string;
  invited_by: number | null;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  /** JSON list of the keys an owner had before becoming owner, or null. */
  before_owner_permissions: string | null;
  /** JSON object of chosen service and domain ids per kind, or null for every item. */
  scopes: string | null;
  /** The first moment the membership no longer opens the account, or null. */
  access_until: number | string | null;
  expired_logged_at: number | string | null;
  ending_notice_sent_at: number | string | null;
  /** Raised by every change queued on the account's owner row (the owner-row lock is a write). */
  lock_version: number;
}

export interface InviteRow {
  id: number;
  /** JSON object of chosen service and domain ids per kind, or null for every item. */
  scopes: string | null;
  account_id: number;
  email: string;
  /** The address while the invitation is pending; null once accepted or cancelled. */
  pending_email: string | null;
  token_hash: string;
  all_permissions: Flag;
  /** JSON list of permission keys. */
  permissions: string;
  invited_by: number | null;
  invited_by_admin: number | null;
  locale: string | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_by: number | null;
  cancelled_at: number | null;
  declined_at: number | null;
  declined_by: number | null;
  sent_count: number;
  last_sent_at: number;
  /** The end of access the membership it creates gets, or null. */
  access_until: number | string | null;
}

export interface LogEntryRow {
  id: number;
  account_id: number | null;
  actor_type: string;
  actor_id: number | null;
  actor_name: string;
  action: string;
  target_user_id: number | null;
  target_email: string | null;
  /** JSON object, or null. */
  details: string | null;
  ip: string | null;
  created_at: number;
}

export interface SettingRow {
  name: string;
  /** JSON value. */
  value: string;
  updated_at: number;
}

export interface MailQueueRow {
  id: number;
  kind: string;
  account_id: number | null;
  invite_id: number | null;
  to_address: string;
  /** JSON object. */
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  claimed_by: string | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** An owner's offer to hand the account over; `open_account_id` is set while it is open. */
export interface OwnershipOfferRow {
  id: number;
  account_id: number;
  open_account_id: number | null;
  from_user_id: number;
  to_user_id: number;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  outcome: string | null;
}

/** Each table tests read, by name, with the row it holds. */
export interface Rows {
  users: UserRow;
  accounts: AccountRow;
  services: ServiceRow;
  domains: DomainRow;
  invoices: InvoiceRow;
  admins: AdminRow;
  outbox: OutboxRow;
  sessions: SessionRow;
  [TABLES.members]: MemberRow;
  [TABLES.invites]: InviteRow;
  [TABLES.log]: LogEntryRow;
  [TABLES.settings]: SettingRow;
  [TABLES.mailQueue]: MailQueueRow;
  [TABLES.ownershipOffers]: OwnershipOfferRow;
}

export type TableName = keyof Rows;
