import type { Knex } from 'knex';
import * as members from './001_members';
import * as invites from './002_invites';
import * as log from './003_log';
import * as listOrder from './004_members_list_order';
import * as settings from './005_settings';
import * as mailQueue from './006_mail_queue';
import * as ownerEarlierAccess from './007_owner_earlier_access';
import * as ownershipOffers from './008_ownership_offers';
import * as inviteDeclined from './009_invite_declined';
import * as accessUntil from './010_access_until';
import * as resourceScopes from './011_resource_scopes';
import * as ownerLockVersion from './012_owner_lock_version';

/**
 * The module's migrations in order. Listed by hand (not read from the folder) so their names are
 * the same whether the code runs as .ts or compiled .js.
 */
export const migrations: Array<{ name: string; migration: Knex.Migration }> = [
  { name: '001_members', migration: members },
  { name: '002_invites', migration: invites },
  { name: '003_log', migration: log },
  { name: '004_members_list_order', migration: listOrder },
  { name: '005_settings', migration: settings },
  { name: '006_mail_queue', migration: mailQueue },
  { name: '007_owner_earlier_access', migration: ownerEarlierAccess },
  { name: '008_ownership_offers', migration: ownershipOffers },
  { name: '009_invite_declined', migration: inviteDeclined },
  { name: '010_access_until', migration: accessUntil },
  { name: '011_resource_scopes', migration: resourceScopes },
  { name: '012_owner_lock_version', migration: ownerLockVersion },
];
