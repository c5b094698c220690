import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The hosting company's staff member signed in to /admin; separate from the client login. */
    admin?: { id: number; name: string };
    /** When the session was created, for the absolute timeout. */
    startedAt?: number;
    /** This session is the person's first sign-in ever: the dashboard says "Welcome", not "Welcome back". */
    firstSignIn?: boolean;
    hostFlash?: Array<{ type: string; key: string; params?: Record<string, unknown> }>;
  }
}
