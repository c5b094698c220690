import express from 'express';
import { createApp } from '../host/app';
import { createKnex } from '../host/db';
import { limitApp } from './limit';
import { addGuardedRoute } from './peer/guarded';

/**
 * The reference portal as the benchmark runs it, in its own process: the real app, plus a few
 * /__bench endpoints in front of it (no session, no database) that report the database queries
 * counted through Knex's 'query' event and the process's memory. Only `npm run bench` starts this.
 */
async function main(): Promise<void> {
  const url = process.env.BENCH_DB_URL;
  // Port 0: the system picks a free one, announced on stdout as "READY <port>".
  const port = Number(process.env.BENCH_PORT ?? 0);
  if (!url) throw new Error('BENCH_DB_URL is required');
  const knex = createKnex(url);
  let queries = 0;
  let recording: Array<{ sql: string; bindings: unknown[] }> | undefined;
  // While a retention pass runs: when each statement on the log started, to time it when it answers.
  let logStatements: Map<string, { sql: string; started: bigint }> | undefined;
  const timedLog: Array<{ sql: string; ms: number; rows: number }> = [];
  knex.on('query', (q: { sql: string; bindings?: unknown[]; __knexQueryUid?: string }) => {
    queries += 1;
    recording?.push({ sql: q.sql, bindings: q.bindings ?? [] });
    if (logStatements && q.__knexQueryUid && /mod_account_users_log/.test(q.sql))
      logStatements.set(q.__knexQueryUid, { sql: q.sql, started: process.hrtime.bigint() });
  });
  knex.on('query-response', (response: unknown, q: { __knexQueryUid?: string }) => {
    const s = q.__knexQueryUid ? logStatements?.get(q.__knexQueryUid) : undefined;
    if (!s) return;
    const rows = Array.isArray(response) ? response.length : typeof response === 'number' ? response : 0;
    timedLog.push({ sql: s.sql, ms: Number(process.hrtime.bigint() - s.started) / 1e6, rows });
  });
  const portal = await createApp({
    knex,
    logger: { info: () => {}, warn: () => {}, error: (msg, meta) => console.error(msg, meta ?? '') },
    config: {
      port,
      databaseUrl: url,
      baseUrl: 'http://127.0.0.1',
      sessionSecret: process.env.BENCH_SECRET ?? 'bench-secret',
      sessionIdleMinutes: 600,
      sessionAbsoluteMinutes: 6000,
      trustProxy: false,
      timeZone: 'UTC',
      production: true,
    },
  });

  addGuardedRoute(portal);

  const app = express();
  // Pages served and still being served (not the benchmark's own endpoints), so a run can wait for
  // the requests its load left behind and count what the app did, whether or not the client waited.
  let served = 0;
  let inflight = 0;
  app.use((req, res, next) => {
    if (req.path.startsWith('/__bench/') && !req.path.startsWith('/__bench/limit/')) return next();
    inflight += 1;
    res.on('close', () => {
      inflight -= 1;
      served += 1;
    });
    next();
  });
  app.get('/__bench/stats', (_req, res) => {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    const pool = (knex.client as { pool?: { numUsed(): number; numPendingAcquires(): number } }).pool;
    res.json({
      served,
      inflight,
      // Connections in use or waited for: a request its client gave up on still runs its queries.
      dbBusy: pool ? pool.numUsed() + pool.numPendingAcquires() : 0,
      queries,
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      cpuMicros: cpu.user + cpu.system,
    });
  });
  // Records the SQL of the requests made until the next call, for EXPLAIN.
  app.post('/__bench/record', (_req, res) => {
    const recorded = recording ?? [];
    recording = [];
    res.json(recorded);
  });
  app.post('/__bench/stop-recording', (_req, res) => {
    const recorded = recording ?? [];
    recording = undefined;
    res.json(recorded);
  });
  app.post('/__bench/module/:state', async (req, res) => {
    await portal.registry.save({ active: req.params.state === 'on' });
    await portal.registry.refresh(true);
    res.json({ active: portal.registry.current().active });
  });
  app.post('/__bench/settings', express.json(), async (req, res) => {
    await portal.accountUsers.settings.save({
      ...portal.accountUsers.settings.current(),
      ...(req.body as Record<string, unknown>),
    });
    res.json(portal.accountUsers.settings.current());
  });
  app.post('/__bench/gc', (_req, res) => {
    (globalThis as { gc?: () => void }).gc?.();
    res.json({ rss: process.memoryUsage().rss });
  });
  // One pass of the module's periodic work (its retention deletes old log rows), each log statement timed.
  app.post('/__bench/sweep', async (_req, res) => {
    logStatements = new Map();
    timedLog.length = 0;
    const started = process.hrtime.bigint();
    const result = await portal.accountUsers.sweep();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logStatements = undefined;
    res.json({
      ...result,
      ms,
      deletes: timedLog.filter((s) => /^\s*delete/i.test(s.sql)).map((s) => ({ ms: s.ms, rows: s.rows })),
      selects: timedLog.filter((s) => /^\s*select/i.test(s.sql)).map((s) => ({ ms: s.ms, rows: s.rows })),
    });
  });
  // The limits the host page is measured against: the same page with less of the portal.
  const hostPageUser = Number(process.env.BENCH_LIMIT_USER ?? 0);
  if (hostPageUser) {
    app.use(
      '/__bench/limit',
      await limitApp(knex, {
        userId: hostPageUser,
        secret: process.env.BENCH_SECRET ?? 'bench-secret',
        idleMinutes: 600,
        permissions: [...portal.accountUsers.permissions],
      }),
    );
  }
  app.use(portal.app);

  const server = app.listen(port, '127.0.0.1', () => {
    const address = server.address();
    console.log(`READY ${typeof address === 'object' && address ? address.port : port}`);
  });
  const stop = () => server.close(() => knex.destroy().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
