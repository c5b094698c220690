import { csrfSync } from 'csrf-sync';

/**
 * Synchronizer-token CSRF protection (csrf-sync, the maintained successor of the csurf pattern).
 * The token lives in the session under csrf-sync's default key, so a host using csrf-sync shares
 * it; forms send it in the `_csrf` field.
 */
export const { csrfSynchronisedProtection: csrfProtection, generateToken, revokeToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.headers['x-csrf-token'];
    return typeof token === 'string' ? token : undefined;
  },
});
