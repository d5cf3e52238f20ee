/**
 * A CPU profile of the SDK path alone: records items x 3 models (OpenAI, Anthropic and Ollama SDKs)
 * against the fake server (child process) through the full record path, profiling only the measured
 * run (after a warm-up), and prints self time by part: our code, Node's fetch (undici), web streams,
 * the SDKs, the store, GC.
 *
 *   npx tsx bench/profile-sdk-path.ts [--items 1000] [--latency 50] [--concurrency 64] [--store sqlite|postgres] [--out file.cpuprofile]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponseStore } from '../src/orchestrate/cache.js';
import { flag, startFakeServer } from './sdk-bench-setup.js';
import { freshDatabase, startPostgres, type TestPostgres } from '../test/support/postgres.js';
import { PostgresStore, SqliteStore, Orchestrator, recordResponses } from './library.js';

const ITEMS = Number(flag('items', '1000'));
const LATENCY = Number(flag('latency', '50'));
const CONCURRENCY = Number(flag('concurrency', '64'));
const STORE = flag('store', 'sqlite');
const OUT = flag('out', '');
const LABELS = ['positive', 'negative', 'neutral'];
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** The part of the process a profiled function belongs to, from its script URL. */
function part(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)' || fn === '(program)') return fn;
  if (url === '') return `native: ${fn}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (url.startsWith('node:internal/deps/undici')) return "Node's fetch (bundled undici)";
  if (url.startsWith('node:internal/webstreams')) return 'web streams';
  if (url.startsWith('node:')) return url.replace(/^(node:(internal\/)?[^/]+).*/, '$1');
  const ours = /\/(src|bench|test)\/(.*)$/.exec(url);
  return ours ? `ours: ${ours[1]}/${ours[2]!.split('/').slice(0, 2).join('/')}` : url;
}

function summarize(profile: Profile, calls: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPart = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const cf = byId.get(id)!.callFrame;
    const key = part(cf.functionName, cf.url);
    const us = profile.timeDeltas[i] ?? 0;
    byPart.set(key, (byPart.get(key) ?? 0) + us);
    if (key !== '(idle)') busy += us;
  });
  const rows = [...byPart].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 30);
  return [`main thread busy ${(busy / 1000 / calls).toFixed(3)} ms per call (${calls} calls)`, ...rows.map(([k, us]) => `${(us / 1000 / calls).toFixed(4)} ms/call  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`)].join('\n');
}

const server = await startFakeServer(LABELS, LATENCY, MODELS);
const { models, task, buildRequest } = server;
const dir = mkdtempSync(join(tmpdir(), 'profile-sdk-'));
let pg: TestPostgres | undefined;
async function openStore(name: string): Promise<ResponseStore> {
  if (STORE === 'sqlite') return new SqliteStore(join(dir, name));
  pg ??= await startPostgres();
  const s = new PostgresStore(await freshDatabase(pg, name.replace(/\W/g, '')));
  await s.ready();
  return s;
}
async function run(label: string, n: number, session?: Session): Promise<{ cpuMs: number; wallMs: number; calls: number }> {
  const cache = await openStore(`${label}.sqlite`);
  const orchestrator = new Orchestrator({ concurrency: CONCURRENCY, cache });
  const items = Array.from({ length: n }, (_, i) => ({ id: `${label}${i}`, text: `Benchmark review ${label}${i}: it was ${['fine', 'bad', 'great'][i % 3]}.` }));
  if (session) await session.post('Profiler.start');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await recordResponses({ task, items, models, responsesPath: join(dir, `${label}.jsonl`), orchestrator, buildRequest });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    if (OUT) writeFileSync(OUT, JSON.stringify(profile));
    process.stdout.write(`${summarize(profile as unknown as Profile, n * MODELS.length)}\n`);
  }
  await cache.close();
  if (r.failed.length > 0) throw new Error(`${r.failed.length} calls failed`);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, calls: n * MODELS.length };
}
try {
  await run('warm', 300);
  const plain = await run('plain', ITEMS);
  process.stdout.write(`unprofiled run: ${(plain.cpuMs / plain.calls).toFixed(3)} ms CPU per call, wall ${(plain.wallMs / 1000).toFixed(2)} s\n`);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await run('profiled', ITEMS, session);
  session.disconnect();
} finally {
  pg?.stop();
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
