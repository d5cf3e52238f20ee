/**
 * What the event loop's longest stalls are made of, on the SDK path: records items x 3 models
 * (OpenAI, Anthropic and Ollama SDKs) against the fake server (child process, --latency, default
 * 500 ms) at --concurrency calls in flight, after warm-up runs of the same shape (JIT), and keeps a
 * timeline of: loop stalls (a 1 ms interval timer that fired late by more than --stall ms), GC
 * pauses (PerformanceObserver 'gc', with their kind), the store's synchronous work (SQLite claim
 * transactions, group commits with their row counts, checkpoints on the main thread; timed by
 * wrapping the store's methods) and the latency each call saw, to its adapter's return and to its
 * answer's commit. Prints each stall with what ran in it.
 *
 *   npx tsx bench/loop-stalls.ts [--items 300] [--latency 500] [--concurrency 64] [--store sqlite|postgres] [--stall 8] [--warm 3] [--dump file.json]
 *
 * Run it as `node [--max-semi-space-size=MB] --import tsx bench/loop-stalls.ts ...` to measure the
 * young generation's size: the GC lines, the answers that waited through a GC pause and the peak
 * RSS line say what it changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { ModelHandle } from '../src/orchestrate/orchestrator.js';
import type { LanguageModel } from '../src/providers/provider.js';
import { benchStores, flag, mainCpuMs, quantile, startFakeServer, TimedModel } from './sdk-bench-setup.js';
import { SqliteStore, Orchestrator, recordResponses, cacheKey } from './library.js';

const ITEMS = Number(flag('items', '300'));
const LATENCY = Number(flag('latency', '500'));
const CONCURRENCY = Number(flag('concurrency', '64'));
const STORE = flag('store', 'sqlite');
const STALL = Number(flag('stall', '8'));
const WARM = Number(flag('warm', '3'));
const DUMP = flag('dump', '');
const LABELS = ['positive', 'negative', 'neutral'];
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];

interface Span { what: string; start: number; ms: number }
const spans: Span[] = [];
let recording = false;

/** Wraps a method of the store's prototype to put each synchronous run of it on the timeline. */
function timeMethod(proto: object, name: string, label: (args: unknown[]) => string): void {
  const p = proto as Record<string, unknown>;
  const inner = p[name] as ((...args: unknown[]) => unknown) | undefined;
  if (typeof inner !== 'function') throw new Error(`no method ${name}`);
  p[name] = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return inner.apply(this, args);
    } finally {
      if (recording) spans.push({ what: label(args), start: t0, ms: performance.now() - t0 });
    }
  };
}
const count = (x: unknown) => (Array.isArray(x) ? x.length : 0);
timeMethod(SqliteStore.prototype, 'claimMany', (a) => `claim tx ${count(a[0])}`);
timeMethod(SqliteStore.prototype, 'commit', (a) => {
  const g = a[0] as { answers: unknown[]; failures: unknown[]; releases: unknown[] };
  return `commit ${g.answers.length}+${g.failures.length}+${g.releases.length}`;
});
timeMethod(SqliteStore.prototype, 'checkpoint', () => 'checkpoint (main)');
// Writes held while the checkpoint worker copies the whole WAL (where the code has a WriteGate):
// not a stall of the event loop, a delay of the commits and claims asked meanwhile.
try {
  const { WriteGate } = (await import('../src/orchestrate/store/write-gate.js' as string)) as { WriteGate: { prototype: object } };
  const proto = WriteGate.prototype as { hold(): void; resume(): void };
  const { hold, resume } = proto;
  let heldAt: number | undefined;
  proto.hold = function (this: unknown) {
    heldAt ??= performance.now();
    hold.call(this);
  };
  proto.resume = function (this: unknown) {
    if (heldAt !== undefined && recording) spans.push({ what: 'writes held for the worker', start: heldAt, ms: performance.now() - heldAt });
    heldAt = undefined;
    resume.call(this);
  };
} catch {
  // no write gate in this version of the store
}

const GC_KIND: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
new PerformanceObserver((list) => {
  if (!recording) return;
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1;
    spans.push({ what: `GC ${GC_KIND[kind] ?? kind}`, start: e.startTime, ms: e.duration });
  }
}).observe({ entryTypes: ['gc'] });

const server = await startFakeServer(LABELS, LATENCY, MODELS);
const { models, task, buildRequest } = server;
const stores = benchStores(STORE === 'postgres' ? 'postgres' : 'sqlite', 'loop-stalls-');
const { dir } = stores;
const openStore = (name: string) => stores.open(name);
/**
 * The main thread's time on a CPU (mainCpuMs), read at every tick of the stall timer, every adapter
 * return and every commit of the measured run: from it, the main thread's CPU time between two
 * instants (interpolated between readings), which unlike wall time hardly moves with the load.
 */
const cpuTimeline: [number, number][] = [];
const readCpu = (): void => void (recording && cpuTimeline.push([performance.now(), mainCpuMs()]));
function cpuAt(t: number): number {
  let lo = 0;
  let hi = cpuTimeline.length - 1;
  if (hi < 0) return Number.NaN;
  if (t <= (cpuTimeline[0] as [number, number])[0]) return (cpuTimeline[0] as [number, number])[1];
  if (t >= (cpuTimeline[hi] as [number, number])[0]) return (cpuTimeline[hi] as [number, number])[1];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((cpuTimeline[mid] as [number, number])[0] <= t) lo = mid;
    else hi = mid;
  }
  const [t0, c0] = cpuTimeline[lo] as [number, number];
  const [t1, c1] = cpuTimeline[hi] as [number, number];
  return t1 === t0 ? c1 : c0 + ((c1 - c0) * (t - t0)) / (t1 - t0);
}

/** Per cache key of the measured run: when its adapter call started, and when its answer was committed (the store's put settled). */
const startedAt = new Map<string, number>();
const committedAt = new Map<string, number>();
async function run(label: string, handles: ModelHandle[]): Promise<{ cpuMs: number; calls: number }> {
  const cache = await openStore(label);
  if (recording) {
    const put = cache.put.bind(cache);
    cache.put = (id, value) =>
      put(id, value).then(() => {
        committedAt.set(id.key, performance.now());
        readCpu();
      });
  }
  const orchestrator = new Orchestrator({ concurrency: CONCURRENCY, cache });
  const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `${label}-${i}`, text: `Benchmark review ${label}${i}: it was ${['fine', 'bad', 'great'][i % 3]}.` }));
  const cpu0 = process.cpuUsage();
  const r = await recordResponses({ task, items, models: handles, responsesPath: join(dir, `${label}.jsonl`), orchestrator, buildRequest });
  const cpu = process.cpuUsage(cpu0);
  // The store's close (its last checkpoint, after every call) is not part of the run's timeline.
  recording = false;
  await cache.close();
  if (r.failed.length > 0) throw new Error(`${r.failed.length} failed`);
  return { cpuMs: (cpu.user + cpu.system) / 1000, calls: items.length * handles.length };
}
try {
  for (let i = 0; i < WARM; i++) await run(`warm${i}`, models);
  const samples: { start: number; ms: number }[] = [];
  const stalls: (Span & { cpu: number; queued: number })[] = [];
  // The main thread's time on a CPU and waiting for one (ns, Linux schedstat): a stall that is
  // mostly waiting is the machine's other jobs, not this process's work.
  const schedstat = () => readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
  let last = performance.now();
  let lastSched = schedstat();
  const ticker = setInterval(() => {
    const now = performance.now();
    const sched = schedstat();
    if (now - last > 1 + STALL) stalls.push({ what: 'stall', start: last, ms: now - last, cpu: ((sched[0] ?? 0) - (lastSched[0] ?? 0)) / 1e6, queued: ((sched[1] ?? 0) - (lastSched[1] ?? 0)) / 1e6 });
    last = now;
    lastSched = sched;
    readCpu();
  }, 1);
  recording = true;
  const t0 = performance.now();
  const measured = await run(
    'measured',
    models.map((h) => {
      const timed = new TimedModel(h.model, (start, ms) => {
        samples.push({ start, ms });
        readCpu();
      });
      // The call's key as the orchestrator computes it for this handle (the signal is not part of it;
      // the wrapper names no endpoint), to pair the call's start with its commit.
      const generate = timed.generate.bind(timed);
      timed.generate = (request) => {
        startedAt.set(cacheKey(timed.provider, timed.modelId, request, (timed as LanguageModel).endpoint, h.sample), performance.now());
        return generate(request);
      };
      return { ...h, model: timed };
    }),
  );
  recording = false;
  clearInterval(ticker);
  await new Promise((r) => setImmediate(r));
  const extra = samples.map((x) => x.ms - LATENCY);
  // For bench/gc-trace-summary.ts: the measured run's span on V8's clock (ms since the isolate began, about performance.now()'s origin).
  process.stdout.write(`measured run: pid ${process.pid} from ${t0.toFixed(0)} to ${performance.now().toFixed(0)} ms\n`);
  process.stdout.write(
    `${STORE}: ${measured.calls} calls; CPU ${(measured.cpuMs / measured.calls).toFixed(3)} ms/call; added latency p50 ${quantile(extra, 0.5).toFixed(1)} / p99 ${quantile(extra, 0.99).toFixed(1)} / max ${Math.max(...extra).toFixed(1)} ms; ${stalls.length} stalls over ${STALL} ms, longest ${Math.max(0, ...stalls.map((s) => s.ms)).toFixed(1)} ms\n`,
  );
  // Time to commit: from the adapter call's start to its answer committed, less the server's latency.
  const toCommit = [...committedAt].flatMap(([key, at]) => {
    const start = startedAt.get(key);
    return start === undefined ? [] : [at - start - LATENCY];
  });
  process.stdout.write(`  time to commit (adapter start to the answer committed, minus the latency), ${toCommit.length} answers: p50 ${quantile(toCommit, 0.5).toFixed(1)} / p99 ${quantile(toCommit, 0.99).toFixed(1)} / max ${Math.max(...toCommit).toFixed(1)} ms\n`);
  // The same in the main thread's CPU time: what it did between an answer's arrival (the call's start
  // plus the server's fixed latency) and the adapter's return, or the answer's commit. Waiting for a
  // core (other jobs) is not in it; the main thread's own work for other calls and GC pauses are.
  const arrival = (start: number) => start + LATENCY;
  const cpuToReturn = samples.map((x) => cpuAt(x.start + x.ms) - cpuAt(arrival(x.start)));
  const cpuToCommit = [...committedAt].flatMap(([key, at]) => {
    const start = startedAt.get(key);
    return start === undefined ? [] : [cpuAt(at) - cpuAt(arrival(start))];
  });
  process.stdout.write(
    `  main-thread CPU between an answer's arrival and its adapter's return p50 ${quantile(cpuToReturn, 0.5).toFixed(1)} / p99 ${quantile(cpuToReturn, 0.99).toFixed(1)} ms; and its commit p50 ${quantile(cpuToCommit, 0.5).toFixed(1)} / p99 ${quantile(cpuToCommit, 0.99).toFixed(1)} ms (${cpuTimeline.length} readings)\n`,
  );
  // GC pauses an answer waited through: those under way at any time between its arrival and its
  // adapter's return. How many answers did is set by how often a pause lands inside a group of
  // answers, which the machine's load moves less than the pauses' length; when fewer than 1% of
  // the answers waited through one, the 99th percentile has no GC pause in it.
  const gcs = spans.filter((s) => s.what.startsWith('GC '));
  const gcOnPath = samples.map((x) => gcs.filter((g) => g.start < x.start + x.ms && g.start + g.ms > arrival(x.start)));
  const hit = gcOnPath.filter((g) => g.length > 0).length;
  const gcMsOnPath = gcOnPath.map((g) => g.reduce((sum, e) => sum + e.ms, 0));
  process.stdout.write(
    `  answers that waited through a GC pause (between arrival and adapter return): ${hit} of ${samples.length} (${((100 * hit) / samples.length).toFixed(1)}%); GC pause ms on an answer's path p99 ${quantile(gcMsOnPath, 0.99).toFixed(1)}, most pauses on one path ${Math.max(0, ...gcOnPath.map((g) => g.length))}\n`,
  );
  // The measured run's calls and timed spans, for analyses this script does not print.
  if (DUMP) writeFileSync(DUMP, JSON.stringify({ latency: LATENCY, t0, samples, spans, stalls }));
  const space = getHeapSpaceStatistics().find((h) => h.space_name === 'new_space');
  process.stdout.write(
    `  memory: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; young generation (new space) now ${((space?.space_size ?? 0) / 2 ** 20).toFixed(1)} MB\n`,
  );
  const byWhat = new Map<string, { n: number; total: number; max: number }>();
  for (const s of spans) {
    const k = s.what.replace(/ \d.*$/, '');
    const b = byWhat.get(k) ?? { n: 0, total: 0, max: 0 };
    b.n++;
    b.total += s.ms;
    b.max = Math.max(b.max, s.ms);
    byWhat.set(k, b);
  }
  for (const [k, b] of byWhat) process.stdout.write(`  ${k}: ${b.n}, total ${b.total.toFixed(0)} ms, longest ${b.max.toFixed(1)} ms\n`);
  for (const s of stalls.sort((a, b) => b.ms - a.ms).slice(0, 12)) {
    const inside = spans.filter((e) => e.start < s.start + s.ms && e.start + e.ms > s.start && e.ms >= 0.5).map((e) => `${e.what} ${e.ms.toFixed(1)}`);
    process.stdout.write(`  stall ${s.ms.toFixed(1)} ms (main thread on CPU ${s.cpu.toFixed(1)}, waiting for one ${s.queued.toFixed(1)}) at +${(s.start - t0).toFixed(0)} ms: ${inside.join(', ') || '(nothing timed)'}\n`);
  }
  const worst = [...samples].sort((a, b) => b.ms - a.ms).slice(0, Math.ceil(samples.length / 50));
  process.stdout.write(`  worst 2% of calls (start +ms: added ms): ${worst.map((x) => `+${(x.start - t0).toFixed(0)}: ${(x.ms - LATENCY).toFixed(1)}`).join(', ')}\n`);
} finally {
  server.stop();
  stores.stop();
}
