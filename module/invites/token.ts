import crypto from 'node:crypto';

/** 32 random bytes (256 bits) from the CSPRNG, as 43 URL-safe characters. */
export function newToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Only this digest is stored, so a copy of the table opens no invitation. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The shape newToken() makes; anything else is not looked up at all. */
export function looksLikeToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}
