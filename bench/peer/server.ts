import type { Server } from 'node:http';
import express from 'express';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import { createPeerAuth } from './auth';

/**
 * better-auth with its organization plugin in an Express app, in its own process, as bench/server.ts
 * runs the portal: its routes under /api/auth, one small route doing the per-request membership
 * check of a signed-in member, and /__peer endpoints for query counts, CPU and recorded SQL.
 */
async function main(): Promise<void> {
  const url = process.env.PEER_DB_URL;
  const port = Number(process.env.BENCH_PORT ?? 0);
  if (!url) throw new Error('PEER_DB_URL is required');
  let queries = 0;
  let recording: Array<{ sql: string; bindings: unknown[] }> | undefined;
  const app = express();
  // better-auth checks a POST's Origin against its base URL, so it is built once the port is known.
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : port;
  const { auth, db } = createPeerAuth(url, `http://127.0.0.1:${listening}`, (sql, bindings) => {
    queries += 1;
    recording?.push({ sql, bindings });
  });

  app.disable('x-powered-by');
  app.get('/__peer/stats', (_req, res) => {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    res.json({ queries, rss: m.rss, heapUsed: m.heapUsed, cpuMicros: cpu.user + cpu.system });
  });
  app.post('/__peer/record', (_req, res) => {
    const recorded = recording ?? [];
    recording = [];
    res.json(recorded);
  });
  app.post('/__peer/stop-recording', (_req, res) => {
    const recorded = recording ?? [];
    recording = undefined;
    res.json(recorded);
  });
  // What a page of an app built on better-auth does first on every request: the session, then the
  // session's member of its active organization (getActiveMember: the member row joined with the user).
  app.get('/check', async (req, res) => {
    try {
      const member = await auth.api.getActiveMember({ headers: fromNodeHeaders(req.headers) });
      if (!member) return void res.status(401).json({ ok: false });
      res.set('Cache-Control', 'no-store').json({ ok: true, organizationId: member.organizationId });
    } catch {
      res.status(401).json({ ok: false });
    }
  });
  app.all('/api/auth/{*rest}', toNodeHandler(auth));

  console.log(`READY ${listening}`);
  const stop = () => server.close(() => db.destroy().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
