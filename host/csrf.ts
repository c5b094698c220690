import { csrfSync } from 'csrf-sync';

/**
 * The portal's own CSRF protection (csrf-sync: the maintained successor of the csurf pattern,
 * the token in the session). The module checks its own forms with its own token, so the portal
 * mounts the module's apps before this check (README host checklist).
 */
export const { csrfSynchronisedProtection: csrfProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.headers['x-csrf-token'];
    return typeof token === 'string' ? token : undefined;
  },
});
