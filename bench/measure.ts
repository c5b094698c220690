import autocannon from 'autocannon';
import type { BenchClient } from './client';
import type { Row } from './report';

export interface Stats {
  served: number;
  inflight: number;
  dbBusy: number;
  queries: number;
  rss: number;
  heapUsed: number;
  cpuMicros: number;
}

export interface Target {
  label: string;
  path: string;
  clients: BenchClient[];
  /** Runs before each run of this target (the host page switches the module off or on). */
  prepare?: () => Promise<unknown>;
  /** Connections of the load when not the run's number (one: the latency of a request alone). */
  connections?: number;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];

/**
 * The median of the slices' latency figure, over the slices in which autocannon saw answers; when a
 * page is slower than every slice, the mean latency the connections and the throughput imply
 * (Little's law: connections × seconds / requests).
 */
function latency(
  slices: Array<{ answered: number; p50: number; p99: number; seconds: number }>,
  key: 'p50' | 'p99',
  requests: number,
  connections: number,
): number {
  const seen = slices.filter((s) => s.answered > 0);
  if (seen.length) return median(seen.map((s) => s[key]));
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0);
  return requests ? Math.round((connections * seconds * 1000) / requests) : 0;
}

/** The portal under test: its address and the benchmark's own endpoints in front of it (bench/server.ts). */
export class Portal {
  base = '';

  constructor(readonly connections: number) {}

  async api<T>(pathname: string, body?: object): Promise<T> {
    const res = await fetch(
      this.base + pathname,
      body
        ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : undefined,
    );
    if (!res.ok) throw new Error(`${pathname} answered ${res.status}`);
    return (await res.json()) as T;
  }

  stats(): Promise<Stats> {
    return this.api<Stats>('/__bench/stats');
  }

  /** autocannon against a page, each connection with its own signed-in session (as many browsers would be). */
  async load(path: string, clients: BenchClient[], seconds: number, connections = this.connections) {
    let next = 0;
    return await autocannon({
      url: this.base + path,
      connections,
      duration: seconds,
      // A page slower than this counts as an error in its row; the run goes on.
      timeout: 30,
      setupClient: (client: { setHeaders(h: Record<string, string>): void }) =>
        client.setHeaders({ cookie: clients[next++ % clients.length].cookie }),
    });
  }

  /**
   * Several pages at once, the connections shared out among them (autocannon's own list of
   * requests would send the session cookie with the first only).
   */
  async loadMixed(paths: string[], clients: BenchClient[], seconds: number) {
    const each = Math.max(1, Math.floor(this.connections / paths.length));
    const results = await Promise.all(
      paths.map((path, k) =>
        this.load(path, [...clients.slice(k % clients.length), ...clients.slice(0, k % clients.length)], seconds, each),
      ),
    );
    return results.reduce(
      (sum, r) => ({
        requests: sum.requests + r.requests.total,
        non2xx: sum.non2xx + r.non2xx,
        errors: sum.errors + r.errors,
      }),
      { requests: 0, non2xx: 0, errors: 0 },
    );
  }

  /**
   * Waits until the app has finished every page request (up to two minutes): none open, and no
   * database connection in use twice in a row, as a request autocannon stopped waiting for at the
   * end of its run goes on with its queries. Its stats then.
   */
  async drained(): Promise<Stats> {
    const until = Date.now() + 120_000;
    let idle = 0;
    for (;;) {
      const s = await this.stats();
      idle = !s.inflight && !s.dbBusy ? idle + 1 : 0;
      if (idle >= 2 || Date.now() > until) return s;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * One run against one page. Requests, queries and CPU are counted in the app from the start of
   * the load until it has answered the last request the load sent (a slow page's last answers come
   * after autocannon stops waiting), and the seconds likewise; latency is autocannon's.
   */
  async once(t: Target, seconds: number) {
    await t.prepare?.();
    const before = await this.drained();
    const started = Date.now();
    const r = await this.load(t.path, t.clients, seconds, t.connections);
    const after = await this.drained();
    if (r.non2xx) throw new Error(`${t.label}: ${r.non2xx} answers were not 2xx`);
    return {
      seconds: (Date.now() - started) / 1000,
      /** Requests autocannon saw answered: a page slower than the slice leaves some slices without any. */
      answered: r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      requests: after.served - before.served,
      timeouts: r.timeouts,
      queries: after.queries - before.queries,
      cpuMicros: after.cpuMicros - before.cpuMicros,
    };
  }

  /**
   * Measures pages the same way in short slices taken in turn (A B C, C B A, A B C, …), so bursts
   * of other work on the machine fall on all alike: req/s is all requests over all slice time; p50
   * and p99 are the medians of the slices'; queries and app CPU per request are totals over requests.
   */
  async compare(targets: Target[], slices: number, sliceSeconds: number, log: (msg: string) => void): Promise<Row[]> {
    for (const t of targets) {
      await t.prepare?.();
      for (const c of t.clients) {
        const check = await c.get(t.path);
        if (check.status !== 200) throw new Error(`${t.label}: ${t.path} answered ${check.status}, not 200`);
      }
      await this.once(t, 1);
    }
    const runs = new Map(targets.map((t) => [t, [] as Array<Awaited<ReturnType<Portal['once']>>>]));
    for (let slice = 0; slice < slices; slice += 1) {
      for (const t of slice % 2 ? [...targets].reverse() : targets) runs.get(t)!.push(await this.once(t, sliceSeconds));
    }
    return targets.map((t) => {
      const r = runs.get(t)!;
      const requests = r.reduce((sum, x) => sum + x.requests, 0);
      const row: Row = {
        label: t.label,
        path: t.path,
        rps: requests / r.reduce((sum, x) => sum + x.seconds, 0),
        p50: latency(r, 'p50', requests, t.connections ?? this.connections),
        p99: latency(r, 'p99', requests, t.connections ?? this.connections),
        queries: r.reduce((sum, x) => sum + x.queries, 0) / Math.max(1, requests),
        cpuMs: r.reduce((sum, x) => sum + x.cpuMicros, 0) / Math.max(1, requests) / 1000,
        requests,
        timeouts: r.reduce((sum, x) => sum + x.timeouts, 0),
      };
      log(
        `${row.label}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ` +
          `${row.queries.toFixed(2)} queries and ${row.cpuMs.toFixed(2)} ms app CPU per request`,
      );
      return row;
    });
  }
}
