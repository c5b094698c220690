import { csrfSync } from 'csrf-sync';
import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The module's own CSRF token, apart from whatever protection the host uses. */
    accountUsersCsrf?: string | null;
  }
}

/**
 * Synchronizer-token CSRF protection for the module's own forms (csrf-sync, the maintained
 * successor of the csurf pattern). The token lives in the session under the module's own key, so
 * the module is protected whatever the host does; forms send it in the `_csrf` field.
 */
const csrf = csrfSync({
  getTokenFromState: (req) => req.session?.accountUsersCsrf,
  storeTokenInState: (req, token) => {
    if (req.session) req.session.accountUsersCsrf = token;
  },
  getTokenFromRequest: (req) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.headers['x-csrf-token'];
    return typeof token === 'string' ? token : undefined;
  },
  errorConfig: { code: 'EBADCSRFTOKEN', statusCode: 403 },
});

export const { csrfSynchronisedProtection: csrfProtection, generateToken, revokeToken } = csrf;

/**
 * Whether an error is this module's token check refusing a form: the one error csrf-sync passes
 * on. Any other error with a 403 (a host's own rule, say) is not an expired form.
 */
export function isCsrfFailure(err: unknown): boolean {
  return err === csrf.invalidCsrfTokenError;
}
