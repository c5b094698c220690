/** The module's tables; every name starts with mod_account_users_ so it never meets a host table. */
export const TABLES = {
  members: 'mod_account_users_members',
  invites: 'mod_account_users_invites',
  log: 'mod_account_users_log',
  settings: 'mod_account_users_settings',
  mailQueue: 'mod_account_users_mail_queue',
  ownershipOffers: 'mod_account_users_ownership_offers',
  migrations: 'mod_account_users_migrations',
} as const;
