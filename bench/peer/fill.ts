import { createHash } from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import type { Pool } from 'mysql2/promise';
import { BENCH_PASSWORD } from '../data';

export interface PeerSizes {
  users: number;
  organizations: number;
  /** Members of organization 1, its owner included. */
  bigOrganizationMembers: number;
  invites: number;
}

/** Who plays which part, as better-auth ids (user n is `userId(n)`). */
export interface PeerCast {
  /** Ten owners of one organization each (users and organizations 10–19), for the membership check. */
  checkUsers: number[];
  bigOwner: number;
  bigOrganization: number;
  inviteOwner: number;
  inviteOrganization: number;
  invitees: number[];
}

/** better-auth's ids are 32-character strings; an MD5 in hex has that length, spreads like one, and SQL makes it. */
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
export const userId = (n: number) => md5(`u${n}`);
export const organizationId = (n: number) => md5(`o${n}`);
export const peerEmail = (n: number) => `u${n}@bench.example`;

/**
 * Fills better-auth's migrated, empty tables in a few INSERT … SELECT statements over MariaDB's
 * sequence engine: user n with a password (one scrypt hash shared by all), organization n owned by
 * user n, organization 1 with the big membership, as bench/data.ts shapes the module's data.
 */
export async function fillPeer(pool: Pool, sizes: PeerSizes, log: (msg: string) => void): Promise<PeerCast> {
  const { users: U, organizations: O, bigOrganizationMembers: BIG, invites: N } = sizes;
  if (U < O + BIG + N + 2) throw new Error('not enough users for the organizations, the big one and the invitees');
  // Its declaration re-exports @better-auth/utils, which this project's module resolution does not follow.
  const hash = await (hashPassword as (password: string) => Promise<string>)(BENCH_PASSWORD);
  const conn = await pool.getConnection();
  try {
    await conn.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    await conn.query(
      `INSERT INTO user (id, name, email, emailVerified, image, createdAt, updatedAt)
       SELECT MD5(CONCAT('u', seq)), CONCAT('First', seq, ' Last', (seq * 7919) % ${U}),
              CONCAT('u', seq, '@bench.example'), 1, NULL, NOW(3), NOW(3)
       FROM seq_1_to_${U}`,
    );
    await conn.query(
      `INSERT INTO account (id, accountId, providerId, userId, password, createdAt, updatedAt)
       SELECT MD5(CONCAT('a', seq)), MD5(CONCAT('u', seq)), 'credential', MD5(CONCAT('u', seq)), ?, NOW(3), NOW(3)
       FROM seq_1_to_${U}`,
      [hash],
    );
    log(`peer users: ${U}`);
    await conn.query(
      `INSERT INTO organization (id, name, slug, logo, createdAt, metadata)
       SELECT MD5(CONCAT('o', seq)), CONCAT('Customer ', LPAD(seq, 5, '0'), ' Ltd'), CONCAT('customer-', seq),
              NULL, NOW(3), NULL
       FROM seq_1_to_${O}`,
    );
    log(`peer organizations: ${O}`);
    // Owners, then the big organization's members (users O+1 …), each a millisecond later than the one before.
    await conn.query(
      `INSERT INTO member (id, organizationId, userId, role, createdAt)
       SELECT MD5(CONCAT('m', seq)), MD5(CONCAT('o', seq)), MD5(CONCAT('u', seq)), 'owner', NOW(3)
       FROM seq_1_to_${O}`,
    );
    await conn.query(
      `INSERT INTO member (id, organizationId, userId, role, createdAt)
       SELECT MD5(CONCAT('m', seq)), MD5('o1'), MD5(CONCAT('u', seq)), 'member',
              NOW(3) + INTERVAL (seq - ${O}) * 1000 MICROSECOND
       FROM seq_${O + 1}_to_${O + BIG - 1}`,
    );
    log(`peer memberships: ${O + BIG - 1}`);
    await conn.query('ANALYZE TABLE user, account, organization, member');
  } finally {
    conn.release();
  }
  return {
    checkUsers: Array.from({ length: 10 }, (_, k) => 10 + k),
    bigOwner: 1,
    bigOrganization: 1,
    inviteOwner: 6,
    inviteOrganization: 6,
    invitees: Array.from({ length: N }, (_, k) => U - 2 - N + k),
  };
}
