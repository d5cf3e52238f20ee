/**
 * A throwaway PostgreSQL server for tests: Debian's postgresql binaries (initdb, pg_ctl under
 * /usr/lib/postgresql/<version>/bin, or on PATH), a data folder and socket folder in a temporary
 * directory, a free port on 127.0.0.1, trust authentication for one user, durability off (the data
 * is thrown away). PostgreSQL refuses to run as root: as root the server runs as the `postgres`
 * system user (or `nobody`) through runuser. `stop()` stops it and removes everything.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  url: string;
  /** The server's data folder (postmaster.pid names its process). */
  dataDir: string;
  /** Stops the server (fast: open connections are cut), leaves it down for `downMs`, and starts it again on the same port. */
  restart(downMs: number): Promise<void>;
  stop(): void;
}

/** The folder holding initdb and pg_ctl, newest version first; undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = which.stdout.trim();
  return which.status === 0 && initdb ? initdb.slice(0, initdb.lastIndexOf('/')) : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Who runs the server: as root, a system user that exists (postgres refuses root). */
function runAs(): { user: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (id.status === 0 && gid.status === 0) return { user, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  return undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (!postgresBinDir()) return 'PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)';
  if (process.getuid?.() === 0 && !runAs()) return 'running as root with neither a postgres nor a nobody user to run the server as';
  return undefined;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'fusion-pg-'));
  const as = runAs();
  if (as) chownSync(dir, as.uid, as.gid);
  const run = (file: string, args: string[]): void => {
    const [cmd, argv] = as ? ['runuser', ['-u', as.user, '--', join(bin, file), ...args]] : [join(bin, file), args];
    execFileSync(cmd as string, argv as string[], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'fusion', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
      return {
        url: `postgres://fusion@127.0.0.1:${port}/postgres`,
        dataDir: data,
        restart: async (downMs) => {
          run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
          await new Promise((r) => setTimeout(r, downMs));
          run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
        },
        stop: () => {
          try {
            run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      };
    } catch (e) {
      // Another process took the port between the probe and the start: try another.
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
}

/** A fresh, empty database on the server (each test its own, so they cannot see each other's rows). */
export async function freshDatabase(server: TestPostgres, name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}

/**
 * A test file's throwaway databases: one server, started on the first `database()` (so a file whose
 * tests are skipped starts none), and a fresh database on it per call, named `prefix` plus this
 * process and a count. `stop()` (in afterAll) stops the server if it was started.
 */
export function databasesOnDemand(prefix: string): { database(): Promise<string>; stop(): void } {
  let server: TestPostgres | undefined;
  let count = 0;
  return {
    database: async () => {
      server ??= await startPostgres();
      return freshDatabase(server, `${prefix}_${process.pid}_${++count}`);
    },
    stop: () => server?.stop(),
  };
}
