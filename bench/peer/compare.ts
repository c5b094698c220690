import autocannon from 'autocannon';

/** A page under load: where, with which session cookie per connection, and its process's counters. */
export interface Side {
  label: string;
  base: string;
  path: string;
  cookies: string[];
  stats(): Promise<{ queries: number; cpuMicros: number }>;
}

export interface Measured {
  label: string;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  queries: number;
  cpuMs: number;
  requests: number;
  /** Bytes of one answer's body. */
  bytes: number;
}

export interface LoadOptions {
  connections: number;
  slices: number;
  sliceSeconds: number;
}

async function once(side: Side, connections: number, seconds: number) {
  let next = 0;
  const before = await side.stats();
  const r = await autocannon({
    url: side.base + side.path,
    connections,
    duration: seconds,
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) =>
      client.setHeaders({ cookie: side.cookies[next++ % side.cookies.length] }),
  });
  const after = await side.stats();
  if (r.non2xx || r.errors) throw new Error(`${side.label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return {
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    queries: after.queries - before.queries,
    cpuMicros: after.cpuMicros - before.cpuMicros,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The two sides measured the way bench/run.ts compares two pages: short slices alternating A B, B A, …
 * after a check that every session gets a 200 and a 1 s warm-up each; totals over all slices.
 */
export async function comparePair(a: Side, b: Side, o: LoadOptions): Promise<[Measured, Measured]> {
  const bytes = new Map<Side, number>();
  for (const side of [a, b]) {
    for (const cookie of side.cookies) {
      const res = await fetch(side.base + side.path, { headers: { cookie }, redirect: 'manual' });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${side.label}: ${side.path} answered ${res.status}, not 200`);
      bytes.set(side, Buffer.byteLength(text));
    }
    await once(side, o.connections, 1);
  }
  const runs = new Map<Side, Array<Awaited<ReturnType<typeof once>>>>([
    [a, []],
    [b, []],
  ]);
  for (let slice = 0; slice < o.slices; slice += 1) {
    for (const side of slice % 2 ? [b, a] : [a, b])
      runs.get(side)!.push(await once(side, o.connections, o.sliceSeconds));
  }
  return [a, b].map((side) => {
    const r = runs.get(side)!;
    const requests = r.reduce((sum, x) => sum + x.requests, 0);
    if (!requests) throw new Error(`${side.label}: no request finished within ${o.sliceSeconds} s; use longer slices`);
    // A slice in which no slow request finished has no latency to count.
    const timed = r.filter((x) => x.requests > 0);
    return {
      label: side.label,
      path: side.path,
      rps: requests / r.reduce((sum, x) => sum + x.seconds, 0),
      p50: median(timed.map((x) => x.p50)),
      p99: median(timed.map((x) => x.p99)),
      queries: r.reduce((sum, x) => sum + x.queries, 0) / requests,
      cpuMs: r.reduce((sum, x) => sum + x.cpuMicros, 0) / requests / 1000,
      requests,
      bytes: bytes.get(side) ?? 0,
    };
  }) as [Measured, Measured];
}
