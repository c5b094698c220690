import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';

const run = promisify(execFile);

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

/** One node of the cluster: its SQL address and the process that serves it. */
export interface GaleraNode {
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
  dir: string;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  /** Milliseconds from the first `mariadbd` to three Synced nodes. */
  startMs: number;
  /** Stops every node and removes the temporary folder; safe to call twice. */
  stop(): Promise<void>;
}

/** What is missing on this machine to run the cluster, or null when everything is there. */
export function missingTools(): string | null {
  for (const file of [MARIADBD, INSTALL_DB, GALERA_PROVIDER, '/usr/bin/rsync', '/usr/bin/wsrep_sst_rsync'])
    if (!fs.existsSync(file)) return file;
  return null;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Four ports per node (SQL, group communication, IST, SST), each range of three starting at a
 * base; the first bases whose twelve ports are all free are taken, so a leftover run or another
 * service on the usual ones (3306, 4567) is never met.
 */
async function freePorts(): Promise<{ sql: number[]; gcomm: number[]; ist: number[]; sst: number[] }> {
  for (let shift = 0; shift < 200; shift += 10) {
    const ranges = [23306, 24567, 25568, 26444].map((base) => [0, 1, 2].map((i) => base + shift + i));
    const all = ranges.flat();
    if ((await Promise.all(all.map(portFree))).every(Boolean)) {
      const [sql, gcomm, ist, sst] = ranges;
      return { sql, gcomm, ist, sst };
    }
  }
  throw new Error('no free ports for the Galera test cluster');
}

function nodeConfig(
  dir: string,
  name: string,
  ports: { sql: number; gcomm: number; ist: number; sst: number },
  clusterAddress: string,
): string {
  return [
    '[mysqld]',
    `datadir=${dir}/data`,
    `socket=${dir}/mysqld.sock`,
    `pid-file=${dir}/mysqld.pid`,
    `log-error=${dir}/error.log`,
    `port=${ports.sql}`,
    'bind-address=127.0.0.1',
    // Not root: the rsync daemon of a state transfer, started by root, would drop to `nobody`.
    'user=mysql',
    'character-set-server=utf8mb4',
    'collation-server=utf8mb4_general_ci',
    // What Galera requires of every node.
    'binlog_format=ROW',
    'default_storage_engine=InnoDB',
    'innodb_autoinc_lock_mode=2',
    // Small and quick: a test cluster on a shared machine.
    'innodb_buffer_pool_size=64M',
    'innodb_flush_log_at_trx_commit=2',
    'performance_schema=OFF',
    'max_connections=200',
    'wsrep_on=ON',
    `wsrep_provider=${GALERA_PROVIDER}`,
    'wsrep_cluster_name=account_users_test',
    `wsrep_cluster_address=${clusterAddress}`,
    `wsrep_node_name=${name}`,
    'wsrep_node_address=127.0.0.1',
    `wsrep_provider_options="${[
      `gmcast.listen_addr=tcp://127.0.0.1:${ports.gcomm}`,
      `ist.recv_addr=127.0.0.1:${ports.ist}`,
      'gcache.size=32M',
    ].join(';')}"`,
    `wsrep_sst_receive_address=127.0.0.1:${ports.sst}`,
    'wsrep_sst_method=rsync',
    'wsrep_slave_threads=2',
    '',
  ].join('\n');
}

async function status(url: string): Promise<Record<string, string>> {
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
  try {
    const [rows] = await conn.query("SHOW GLOBAL STATUS LIKE 'wsrep_%'");
    return Object.fromEntries(
      (rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, r.Value]),
    );
  } finally {
    await conn.end();
  }
}

/** The node's wsrep status, read on its own connection (the counters the test compares). */
export function wsrepStatus(node: GaleraNode): Promise<Record<string, string>> {
  return status(node.url);
}

async function waitFor(what: string, node: GaleraNode, test: (s: Record<string, string>) => boolean, ms: number) {
  const until = Date.now() + ms;
  let last = '';
  while (Date.now() < until) {
    if (node.process.exitCode !== null || node.process.signalCode !== null) break;
    try {
      const s = await status(node.url);
      if (test(s)) return;
      last = `${s.wsrep_local_state_comment} size ${s.wsrep_cluster_size}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const log = fs.existsSync(`${node.dir}/error.log`) ? fs.readFileSync(`${node.dir}/error.log`, 'utf8') : '';
  throw new Error(`${node.name}: ${what} not reached (${last})\n${log.split('\n').slice(-30).join('\n')}`);
}

async function stopNode(node: GaleraNode): Promise<void> {
  const child = node.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // A joiner in the middle of a state transfer may not stop on SIGTERM; its data is thrown away anyway.
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Three MariaDB Galera nodes on this machine, each with its own data directory in a temporary
 * folder and ports of its own: the first bootstraps the cluster, the other two join it (state
 * transfer by rsync) one after the other. Resolves once all three report a cluster of three and
 * Synced; root has no password on TCP. Runs under `nice`, as the machine is shared.
 */
export async function startCluster(log: (line: string) => void = () => {}): Promise<GaleraCluster> {
  const missing = missingTools();
  if (missing) throw new Error(`Galera test cluster: ${missing} is missing`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'account-users-galera-'));
  // The nodes run as the `mysql` user, as Debian's service does: it must reach and own their folders.
  fs.chmodSync(root, 0o755);
  const nodes: GaleraNode[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      // In reverse order, so the last node standing is the first one (a clean shutdown of each).
      for (const node of [...nodes].reverse()) await stopNode(node);
      if (!process.env.GALERA_KEEP) fs.rmSync(root, { recursive: true, force: true });
    })());
  // Interrupted (Ctrl-C) mid-run: the nodes and their folder go too, then the process ends.
  function onSignal() {
    void stop().finally(() => process.exit(130));
  }
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const ports = await freePorts();
    const clusterAddress = `gcomm://${ports.gcomm.map((p) => `127.0.0.1:${p}`).join(',')}`;
    // One system database, copied: the joiners' is replaced by the state transfer anyway.
    const seed = path.join(root, 'seed');
    await run('nice', [
      INSTALL_DB,
      '--no-defaults',
      `--datadir=${seed}`,
      '--user=mysql',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
    const started = Date.now();
    for (let i = 0; i < 3; i += 1) {
      const name = `node${i + 1}`;
      const dir = path.join(root, name);
      fs.mkdirSync(dir);
      fs.cpSync(seed, path.join(dir, 'data'), { recursive: true });
      await run('chown', ['-R', 'mysql:mysql', dir]);
      const cnf = path.join(dir, 'my.cnf');
      const own = { sql: ports.sql[i], gcomm: ports.gcomm[i], ist: ports.ist[i], sst: ports.sst[i] };
      fs.writeFileSync(cnf, nodeConfig(dir, name, own, clusterAddress));
      const args = [MARIADBD, `--defaults-file=${cnf}`, ...(i === 0 ? ['--wsrep-new-cluster'] : [])];
      const child = spawn('nice', args, { stdio: 'ignore' });
      const node: GaleraNode = { name, port: own.sql, url: `mysql://root@127.0.0.1:${own.sql}`, process: child, dir };
      nodes.push(node);
      await waitFor('Synced', node, (s) => s.wsrep_local_state_comment === 'Synced', 90_000);
      log(`${name} Synced after ${Date.now() - started} ms`);
    }
    for (const node of nodes)
      await waitFor('a cluster of three', node, (s) => s.wsrep_cluster_size === '3' && s.wsrep_ready === 'ON', 30_000);
    return { nodes, startMs: Date.now() - started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
