import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createKnex } from '../../host/db';
import { TABLES } from '../../module/tables';

const ROOT = path.join(__dirname, '..', '..');

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  file: string;
}

export interface RunningPortal {
  url: string;
  mailDir: string;
  /** Every message written to MAIL_DIR so far, oldest first. */
  mails(): Mail[];
  /** Waits for the newest message to `to` after `since` messages and returns it. */
  waitForMail(to: string, since?: number): Promise<Mail>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the reference portal as the README says (`npm start` = tsx host/start.ts) on a fresh
 * SQLite file, so the demo data is seeded; mail goes to a temporary MAIL_DIR.
 */
export async function startPortal(): Promise<RunningPortal> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'account-users-e2e-'));
  const mailDir = path.join(dir, 'mail');
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'host/start.ts'],
    {
      cwd: ROOT,
      // Its own process group, so stopping it also stops anything tsx started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: `sqlite:${path.join(dir, 'portal.sqlite')}`,
        MAIL_DIR: mailDir,
        BASE_URL: url,
        SESSION_SECRET: 'e2e-session-secret-not-for-production',
        NODE_ENV: 'test',
      },
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start within 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (output.includes('Portal running at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`portal exited with ${code}:\n${output}`));
    });
  });

  const mails = (): Mail[] => {
    if (!fs.existsSync(mailDir)) return [];
    // Names are `<ms>-<pid>-<seq>.json`: numeric order is sending order.
    const key = (f: string) => f.split(/[-.]/).map(Number);
    return fs
      .readdirSync(mailDir)
      .filter((f) => f.endsWith('.json'))
      .sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        return x[0] - y[0] || x[2] - y[2];
      })
      .map((f) => ({ ...(JSON.parse(fs.readFileSync(path.join(mailDir, f), 'utf8')) as Omit<Mail, 'file'>), file: f }));
  };

  return {
    url,
    mailDir,
    mails,
    async waitForMail(to, since = 0) {
      for (let i = 0; i < 100; i++) {
        const found = mails()
          .slice(since)
          .filter((m) => m.to === to);
        if (found.length) return found[found.length - 1];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no mail to ${to} in ${mailDir}`);
    },
    async stop() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first link in a message's text that points into the portal. */
export function linkIn(mail: Mail, url: string, pathPart: string): string {
  const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
  const link = links.find((l) => l.startsWith(url) && l.includes(pathPart));
  if (!link) throw new Error(`no ${pathPart} link in mail "${mail.subject}":\n${mail.text}`);
  return link.replace(/[).,>]+$/, '');
}

/**
 * Every end date of access passes now: the portal runs on the real clock, so a browser test moves
 * the stored ends into the past in the portal's database instead of waiting for the day.
 */
export async function passEndDates(portal: RunningPortal): Promise<void> {
  const knex = createKnex(`sqlite:${path.join(path.dirname(portal.mailDir), 'portal.sqlite')}`);
  try {
    await knex(TABLES.members)
      .whereNotNull('access_until')
      .update({ access_until: Date.now() - 1000 });
  } finally {
    await knex.destroy();
  }
}
