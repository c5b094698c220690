import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The reference portal's configuration, all from the environment. */
export interface HostConfig {
  port: number;
  databaseUrl: string;
  baseUrl: string;
  sessionSecret: string;
  smtpUrl?: string;
  mailDir?: string;
  /** Session lifetimes: idle (rolling) and absolute, in minutes. */
  sessionIdleMinutes: number;
  sessionAbsoluteMinutes: number;
  trustProxy: boolean;
  timeZone: string;
  production: boolean;
  /** The language for visitors who chose none and whose browser asks for none shipped (DEFAULT_LOCALE). */
  defaultLocale?: string;
  /** A folder of `<locale>.json` files whose strings win over the module's (LANG_OVERRIDES_DIR). */
  langOverridesDir?: string;
}

const DATA_DIR = path.join(__dirname, '..', 'data');

/** A secret generated once and kept in data/ so demo sessions survive a restart. */
function demoSecret(): string {
  const file = path.join(DATA_DIR, 'session-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const secret = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function int(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const port = int(env.PORT, 3000);
  return {
    port,
    databaseUrl: env.DATABASE_URL || `sqlite:${path.join(DATA_DIR, 'portal.sqlite')}`,
    baseUrl: (env.BASE_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    sessionSecret: env.SESSION_SECRET || demoSecret(),
    smtpUrl: env.SMTP_URL || undefined,
    mailDir: env.MAIL_DIR || undefined,
    sessionIdleMinutes: int(env.SESSION_IDLE_MINUTES, 120),
    sessionAbsoluteMinutes: int(env.SESSION_ABSOLUTE_MINUTES, 12 * 60),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    timeZone: env.TZ_DISPLAY || 'UTC',
    production: env.NODE_ENV === 'production',
    defaultLocale: env.DEFAULT_LOCALE || undefined,
    langOverridesDir: env.LANG_OVERRIDES_DIR || undefined,
  };
}
