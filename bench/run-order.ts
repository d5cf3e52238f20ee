/**
 * Where the first measured run's extra CPU goes: several identical record runs (items x 3 models
 * through the SDKs against the fake server, child process) in one process, in the order --stores
 * gives (a store may repeat: `sqlite,postgres,sqlite`), each reported with the CPU of each of this
 * process's threads over the run (Linux /proc/self/task): the main thread, V8's worker threads
 * (optimising compiler and parallel/concurrent GC share them), libuv's pool and the rest, and the
 * main thread's GC pauses (PerformanceObserver 'gc').
 *
 * With --profile, each run is also CPU-profiled (inspector, 200 us sampling) and the main thread's
 * self time per call is printed by part (unoptimised vs optimised code cannot be told apart in a
 * profile, but `(program)` holds the main thread's parsing and compiling).
 *
 *   npx tsx bench/run-order.ts [--items 500] [--latency 50] [--concurrency 64] [--stores sqlite,sqlite,postgres,postgres] [--profile]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import type { ResponseStore } from '../src/orchestrate/cache.js';
import { flag, startFakeServer } from './sdk-bench-setup.js';
import { freshDatabase, startPostgres, type TestPostgres } from '../test/support/postgres.js';
import { PostgresStore, SqliteStore, Orchestrator, recordResponses } from './library.js';

const ITEMS = Number(flag('items', '500'));
const LATENCY = Number(flag('latency', '50'));
const CONCURRENCY = Number(flag('concurrency', '64'));
const ORDER = flag('stores', 'sqlite,sqlite,postgres,postgres').split(',').filter(Boolean);
const PROFILE = process.argv.includes('--profile');
const LABELS = ['positive', 'negative', 'neutral'];
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];

/** The threads this process had before any run: the main thread, V8's platform threads, libuv's pool. */
const startupThreads = new Set(readdirSync('/proc/self/task'));

/** CPU ms per thread name class of this process so far. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    // V8's platform workers (optimising compiler, parallel and concurrent GC) are the threads named
    // `node` at start-up other than the main one (libuv's pool takes no CPU here); a thread started
    // later is a worker_threads Worker (each SQLite store's WAL checkpointer) and its own helpers.
    const key = tid === String(process.pid) ? 'main' : !startupThreads.has(tid) ? 'later-threads' : name === 'node' ? 'v8-platform' : name;
    out.set(key, (out.get(key) ?? 0) + ms);
  }
  return out;
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** The part of the process a profiled function belongs to, from its script URL. */
function part(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn.startsWith('(')) return fn;
  if (url === '') return `native`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (url.startsWith('node:')) return url.replace(/^(node:(internal\/)?(deps\/)?[^/]+).*/, '$1');
  return /\/(src|bench|test)\//.test(url) ? 'ours' : url;
}

function byPart(profile: Profile, calls: number): string {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parts = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const cf = nodes.get(id)!.callFrame;
    const key = part(cf.functionName, cf.url);
    parts.set(key, (parts.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...parts].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, us]) => `${k} ${(us / 1000 / calls).toFixed(3)}`).join(', ');
}

let session: Session | undefined;
if (PROFILE) {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
}

const gcPauses: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });

const server = await startFakeServer(LABELS, LATENCY, MODELS);
const { models, task, buildRequest } = server;
const dir = mkdtempSync(join(tmpdir(), 'run-order-'));
let pg: TestPostgres | undefined;
async function openStore(kind: string, name: string): Promise<ResponseStore> {
  if (kind === 'sqlite') return new SqliteStore(join(dir, `${name}.sqlite`));
  pg ??= await startPostgres();
  const s = new PostgresStore(await freshDatabase(pg, name.replace(/\W/g, '')));
  await s.ready();
  return s;
}
try {
  let n = 0;
  for (const kind of ORDER) {
    const label = `r${n++}`;
    const cache = await openStore(kind, label);
    const orchestrator = new Orchestrator({ concurrency: CONCURRENCY, cache });
    const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `${label}-${i}`, text: `Benchmark review ${label}${i}: it was ${['fine', 'bad', 'great'][i % 3]}.` }));
    const gc0 = gcPauses.length;
    const threads0 = threadCpu();
    const cpu0 = process.cpuUsage();
    if (session) await session.post('Profiler.start');
    const t0 = performance.now();
    const r = await recordResponses({ task, items, models, responsesPath: join(dir, `${label}.jsonl`), orchestrator, buildRequest });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const threads1 = threadCpu();
    const profile = session ? ((await session.post('Profiler.stop')).profile as unknown as Profile) : undefined;
    await new Promise((res) => setImmediate(res));
    const pauses = gcPauses.slice(gc0);
    await cache.close();
    if (r.failed.length > 0) throw new Error(`${r.failed.length} failed`);
    const calls = ITEMS * MODELS.length;
    const per = (ms: number) => (ms / calls).toFixed(3);
    const parts = [...threads1].map(([k, v]) => `${k} ${per(v - (threads0.get(k) ?? 0))}`).join(', ');
    process.stdout.write(
      `${label} ${kind}: ${per((cpu.user + cpu.system) / 1000)} ms CPU/call (${parts}); wall ${(wall / 1000).toFixed(2)} s; GC ${pauses.length} pauses, ${per(pauses.reduce((a, b) => a + b, 0))} ms/call, longest ${Math.max(0, ...pauses).toFixed(1)} ms\n`,
    );
    if (profile) process.stdout.write(`  main thread by part, ms/call: ${byPart(profile, calls)}\n`);
  }
} finally {
  pg?.stop();
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
