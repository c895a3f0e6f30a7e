/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: Debian's `postgresql` binaries
 * (/usr/lib/postgresql/<version>/bin, installed by tools/ensure-postgres.sh when absent), `initdb` in
 * a fresh temporary folder, `pg_ctl start` on a free 127.0.0.1 port with its unix socket in that same
 * folder, one database created. `stop()` stops the server and removes the folder; so does the exit
 * of this process (also on SIGINT/SIGTERM), so no cluster outlives its user.
 *
 * `initdb` refuses to run as root: as root, the folder is given to the `postgres` user of the package
 * and the server commands run as that user (runuser); as anyone else they run as that user.
 *
 * Run directly (`npx tsx tools/pg/throwaway.ts`) it prints DATABASE_URL=... and keeps the cluster
 * until Ctrl-C.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust authentication: no password). */
  url: string;
  /** URL of another database of the same cluster (e.g. `postgres`, to create databases from). */
  urlOf(database: string): string;
  /** The folder holding the cluster, its socket and its log (removed by stop). */
  dir: string;
  binDir: string;
  /** Stops the server (fast shutdown) and removes the folder; idempotent. */
  stop(): Promise<void>;
  /**
   * Stops the server and keeps the folder (outage tests): `fast` ends the sessions and writes a
   * checkpoint; `immediate` is a crash (no checkpoint: the next start replays the WAL).
   */
  stopServer(mode: 'fast' | 'immediate'): void;
  /** Starts the stopped server again on the same port and data folder (waits until it accepts connections). */
  startServer(): void;
  /**
   * Freezes (SIGSTOP) or thaws (SIGCONT) the server and every one of its processes: a server that stops
   * answering without closing a connection, as behind a dead network link (outage tests).
   */
  pauseServer(paused: boolean): void;
}

const ENSURE_SCRIPT = join(__dirname, '..', 'ensure-postgres.sh');

/** The newest /usr/lib/postgresql/<version>/bin holding pg_ctl, or null. */
export function findPostgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], 'bin') : null;
}

/** Finds the binaries, installing the package first when absent (and allowed); throws with the reason otherwise. */
export function ensurePostgresBinDir(): string {
  const found = findPostgresBinDir();
  if (found) return found;
  const run = spawnSync('bash', [ENSURE_SCRIPT], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  const again = findPostgresBinDir();
  if (again) return again;
  throw new Error(`PostgreSQL is not installed and could not be installed: ${run.stderr?.trim() || `exit ${run.status}`}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startThrowawayPostgres(options: { database?: string } = {}): Promise<ThrowawayPostgres> {
  const database = options.database ?? 'reelrank';
  const binDir = ensurePostgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-pg-'));
  const dataDir = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  // Every server command runs as the owner of the folder (`postgres` when we are root).
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(binDir, tool), ...args]] : [join(binDir, tool), args];
    const result = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000) : '';
      throw new Error(
        `${tool} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || '').trim()}${log ? `\nserver log:\n${log}` : ''}`,
      );
    }
  };

  let stopped = false;
  let started = false; // the server is running
  /** The postmaster (postmaster.pid) and its children. */
  const serverPids = (): number[] => {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' }).stdout.split('\n');
    return [postmaster, ...children.filter((line) => line.trim() !== '').map(Number)];
  };
  const stopSync = () => {
    if (stopped) return;
    // A frozen server cannot stop: thaw it first (a no-op when it runs).
    try {
      if (started) for (const pid of serverPids()) process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
    stopped = true;
    process.off('exit', stopSync);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      if (started) run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopSync();
    process.kill(process.pid, signal);
  };
  process.once('exit', stopSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // --no-sync: the cluster is thrown away, so initdb need not fsync its files (the server itself keeps fsync on).
    run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
    const startServer = () => {
      if (started || stopped) return;
      run('pg_ctl', ['start', '-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOptions]);
      started = true;
    };
    const stopServer = (mode: 'fast' | 'immediate') => {
      if (!started) return;
      run('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w']);
      started = false;
    };
    const pauseServer = (paused: boolean) => {
      // The postmaster first when freezing and last when thawing: it never watches a frozen child.
      const [postmaster, ...children] = serverPids();
      for (const pid of paused ? [postmaster, ...children] : [...children, postmaster]) process.kill(pid, paused ? 'SIGSTOP' : 'SIGCONT');
    };
    startServer();
    const urlOf = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
    const admin = new Client({ connectionString: urlOf('postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
    return { url: urlOf(database), urlOf, dir, binDir, stop: async () => stopSync(), stopServer, startServer, pauseServer };
  } catch (error) {
    stopSync();
    throw error;
  }
}

if (require.main === module) {
  startThrowawayPostgres().then(
    (pg) => {
      process.stdout.write(`DATABASE_URL=${pg.url}\n(throwaway cluster in ${pg.dir}; Ctrl-C stops and removes it)\n`);
      setInterval(() => undefined, 1 << 30);
    },
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
