/**
 * The answer path alone: what the main thread spends on each answer, from its bytes on the socket to
 * the answer committed in the store and written to responses.jsonl, apart from the send path
 * (rendering, cache key, lookup, claim, request building, socket writes).
 *
 * Each burst records --items x 3 models (OpenAI, Anthropic and Ollama SDKs) against the fake server
 * (child process, fixed --latency, default 500 ms) with every call in flight at once (concurrency =
 * calls), so the calls go out together, the main thread then idles, and the answers come back
 * together, as the groups of the 64-in-flight row of bench/orchestration.ts do. Half way through the
 * wait (nothing runs then) the main thread's CPU time is read (Linux schedstat: time on a CPU, not
 * waiting for one, so the figure hardly moves with the machine's load), and again when the burst's
 * record run returns (every answer committed and written): the difference per answer is the answer
 * path's main-thread CPU. Per burst it also times, from the first answer's headers (undici's
 * `undici:request:headers` channel), the last adapter return and the last commit (the store's `put`
 * settled), and each answer's commit after its adapter returned.
 *
 * Before the measured bursts, --warm bursts against a second server at --warm-latency (default 20 ms)
 * compile the code (V8's JIT; BENCHMARKS.md, "The first store's extra CPU").
 *
 * With --profile, a CPU profile runs over the measured bursts and, of its samples, those inside an
 * answer path (half way through the wait to the run's return) are counted: the self time is printed by part (undici, each SDK, Node, our
 * files, GC); a native function's time goes to the nearest caller with a script. Profiling slows
 * everything: use the plain run's CPU figures, the profile's shares.
 *
 *   npx tsx bench/answer-path.ts [--from dist|src] [--items 22] [--bursts 20] [--latency 500] [--warm 40] [--store sqlite|postgres] [--profile] [--out file.cpuprofile]
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { ModelHandle } from '../src/orchestrate/orchestrator.js';
import type { ResponseStore } from '../src/orchestrate/cache.js';
import { benchStores, flag, mainCpuMs, quantile, startFakeServer, TimedModel } from './sdk-bench-setup.js';
import { LIBRARY_FROM, Orchestrator, recordResponses } from './library.js';

const ITEMS = Number(flag('items', '22'));
const BURSTS = Number(flag('bursts', '20'));
const LATENCY = Number(flag('latency', '500'));
const WARM = Number(flag('warm', '40'));
const WARM_LATENCY = Number(flag('warm-latency', '20'));
const STORE = flag('store', 'sqlite') === 'postgres' ? 'postgres' : 'sqlite';
const PROFILE = process.argv.includes('--profile');
const OUT = flag('out', '');
const LABELS = ['positive', 'negative', 'neutral'];
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];


let firstHeaders: number | undefined;
let lastHeaders = 0;
subscribe('undici:request:headers', () => {
  firstHeaders ??= performance.now();
  lastHeaders = performance.now();
});

interface Burst {
  calls: number;
  /** Main-thread CPU, ms: the send path (run start to half way through the wait), the answer path (half way to the run's return). */
  sendCpu: number;
  answerCpu: number;
  /** From the first answer's headers, ms: the last adapter return, the last commit, the run's return. */
  lastReturn: number;
  lastCommit: number;
  runReturn: number;
  /** Spread of the adapter calls' starts, and of the answers' headers, ms. */
  sendSpread: number;
  headersSpread: number;
  /** Each commit after the latest adapter return before it, ms. */
  commitAfterReturn: number[];
}

interface ProfileNode { id: number; parent?: number; children?: number[]; callFrame: { functionName: string; url: string } }
interface Profile { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

/** V8's sample clock (monotonic, µs), which is the clock of process.hrtime on Linux. */
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
/** The answer paths' spans on that clock: [half way through the wait, the run's return]. */
const windows: [number, number][] = [];

/** The part of the process a script URL belongs to. */
function partOf(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) {
    const name = pkg[1] as string;
    if (name === 'openai' || name === '@anthropic-ai/sdk' || name === 'ollama') return `SDK ${name}`;
    return `package ${name}`;
  }
  if (url.startsWith('node:internal/deps/undici')) return "Node's bundled undici (Headers, Response)";
  if (url.startsWith('node:')) return url.replace(/^(node:(internal\/)?[^/]+).*/, '$1');
  const ours = /\/(src|bench|test)\/(.*)$/.exec(url);
  return ours ? `ours: ${ours[1]}/${ours[2]}` : url || '(no script)';
}

const selfByPart = new Map<string, number>();
const selfByFunction = new Map<string, number>();
let profiledAnswers = 0;

function addProfile(profile: Profile): void {
  let t = profile.startTime;
  let w = 0;
  const inWindow = profile.timeDeltas.map((d) => {
    t += d;
    while (w < windows.length && (windows[w] as [number, number])[1] < t) w++;
    return w < windows.length && (windows[w] as [number, number])[0] <= t;
  });
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** A native frame's time goes to its nearest caller that has a script. */
  const owner = (id: number): { part: string; fn: string } => {
    const n = byId.get(id)!;
    const { functionName: fn, url } = n.callFrame;
    if (fn === '(garbage collector)') return { part: 'GC', fn };
    if (fn === '(idle)' || fn === '(program)' || fn === '(root)') return { part: fn, fn };
    if (url !== '') return { part: partOf(url), fn: `${fn || '(anonymous)'} ${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}` };
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const u = byId.get(p)!.callFrame.url;
      if (u !== '') return { part: partOf(u), fn: `${fn} (native) under ${partOf(u)}` };
    }
    return { part: `native ${fn}`, fn };
  };
  profile.samples.forEach((id, i) => {
    if (!inWindow[i]) return;
    const o = owner(id);
    const us = profile.timeDeltas[i] ?? 0;
    selfByPart.set(o.part, (selfByPart.get(o.part) ?? 0) + us);
    selfByFunction.set(o.fn, (selfByFunction.get(o.fn) ?? 0) + us);
  });
}

const warmServer = await startFakeServer(LABELS, WARM_LATENCY, MODELS);
const server = await startFakeServer(LABELS, LATENCY, MODELS);
const stores = benchStores(STORE, 'answer-path-');
const session = PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
}

let runs = 0;
async function burst(models: readonly ModelHandle[], latency: number, measure: boolean): Promise<Burst> {
  const label = `b${runs++}`;
  const cache: ResponseStore = await stores.open(label);
  const calls = ITEMS * models.length;
  const orchestrator = new Orchestrator({ concurrency: calls, cache });
  const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `${label}-${i}`, text: `Benchmark review ${label}${i}: it was ${['fine', 'bad', 'great'][i % 3]}.` }));
  const returned: number[] = [];
  const starts: number[] = [];
  const committed: number[] = [];
  // The store's put settles once the answer's group is committed.
  const put = cache.put.bind(cache);
  cache.put = (id, value) => put(id, value).then(() => void committed.push(performance.now()));
  const timed = models.map((h) => ({ ...h, model: new TimedModel(h.model, (start, ms) => {
        starts.push(start);
        returned.push(start + ms);
      }) }));
  firstHeaders = undefined;
  let midCpu = 0;
  let midUs = 0;
  let midAt = 0;
  const cpu0 = mainCpuMs();
  const mid = setTimeout(() => {
    midAt = performance.now();
    midCpu = mainCpuMs();
    midUs = nowUs();
  }, latency / 2);
  const r = await recordResponses({ task: server.task, items, models: timed, responsesPath: join(stores.dir, `${label}.jsonl`), orchestrator, buildRequest: server.buildRequest });
  const end = performance.now();
  const cpuEnd = mainCpuMs();
  clearTimeout(mid);
  if (measure && session) {
    windows.push([midUs, nowUs()]);
    profiledAnswers += calls;
  }
  await cache.close();
  if (r.failed.length > 0 || r.recorded !== calls) throw new Error(`${label}: ${r.recorded} of ${calls} recorded, ${r.failed.length} failed`);
  if (midAt === 0 || firstHeaders === undefined || firstHeaders < midAt) throw new Error(`${label}: an answer came before half the latency (${latency} ms): the send path and the answer path overlap`);
  const first = firstHeaders;
  // The model does not know the call's key, so each commit is set against the latest adapter
  // return before it: the answer committed can only have returned then or earlier, so this is a
  // lower bound of its own wait, and the largest over a burst is the last answer's.
  const sortedReturns = [...returned].sort((a, b) => a - b);
  const afterReturn = committed.map((c) => {
    let last = sortedReturns[0] as number;
    for (const x of sortedReturns) if (x <= c) last = x;
    return c - last;
  });
  return {
    calls,
    sendCpu: midCpu - cpu0,
    answerCpu: cpuEnd - midCpu,
    sendSpread: Math.max(...starts) - Math.min(...starts),
    headersSpread: lastHeaders - first,
    lastReturn: Math.max(...returned) - first,
    lastCommit: Math.max(...committed) - first,
    runReturn: end - first,
    commitAfterReturn: afterReturn,
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
try {
  for (let i = 0; i < WARM; i++) await burst(warmServer.models, WARM_LATENCY, false);
  const bursts: Burst[] = [];
  // One profile over every measured burst (starting the profiler costs a pause of its own), of which
  // only the samples inside the answer paths' windows are counted.
  if (session) await session.post('Profiler.start');
  for (let i = 0; i < BURSTS; i++) bursts.push(await burst(server.models, LATENCY, true));
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    addProfile(profile as unknown as Profile);
    if (OUT) writeFileSync(OUT, JSON.stringify(profile));
  }
  const per = (f: (b: Burst) => number) => bursts.map((b) => f(b) / b.calls);
  const f3 = (x: number) => x.toFixed(3);
  const f1 = (x: number) => x.toFixed(1);
  const calls = bursts[0]?.calls ?? 0;
  process.stdout.write(`${STORE}, library from ${LIBRARY_FROM}/: ${BURSTS} bursts of ${calls} calls at ${LATENCY} ms, after ${WARM} warm-up bursts at ${WARM_LATENCY} ms${PROFILE ? ' (profiled: times inflated)' : ''}\n`);
  process.stdout.write(`  main-thread CPU per answer, answer path: median ${f3(median(per((b) => b.answerCpu)))} ms (quartiles ${f3(quantile(per((b) => b.answerCpu), 0.25))}-${f3(quantile(per((b) => b.answerCpu), 0.75))})\n`);
  process.stdout.write(`  main-thread CPU per call, send path: median ${f3(median(per((b) => b.sendCpu)))} ms\n`);
  process.stdout.write(`  from the first answer's headers, median over bursts: last adapter return ${f1(median(bursts.map((b) => b.lastReturn)))} ms, last commit ${f1(median(bursts.map((b) => b.lastCommit)))} ms, run returned ${f1(median(bursts.map((b) => b.runReturn)))} ms\n`);
  if (process.argv.includes('--each')) for (const b of bursts) process.stdout.write(`    burst: answer CPU ${f3(b.answerCpu / b.calls)} ms/answer, sends over ${f1(b.sendSpread)} ms, headers over ${f1(b.headersSpread)} ms, last return ${f1(b.lastReturn)}, last commit ${f1(b.lastCommit)} ms\n`);
  const car = bursts.flatMap((b) => b.commitAfterReturn);
  process.stdout.write(`  commit after the latest adapter return before it, every answer: p50 ${f1(quantile(car, 0.5))} / p99 ${f1(quantile(car, 0.99))} / max ${f1(Math.max(...car))} ms\n`);
  if (PROFILE && profiledAnswers > 0) {
    const busy = [...selfByPart].filter(([k]) => k !== '(idle)').reduce((a, [, us]) => a + us, 0);
    process.stdout.write(`  profile: main thread busy ${f3(busy / 1000 / profiledAnswers)} ms per answer on the answer path; self time by part:\n`);
    for (const [k, us] of [...selfByPart].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1])) {
      process.stdout.write(`    ${(us / 1000 / profiledAnswers).toFixed(4)} ms  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}\n`);
    }
    process.stdout.write('  top functions:\n');
    for (const [k, us] of [...selfByFunction].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 45)) {
      process.stdout.write(`    ${(us / 1000 / profiledAnswers).toFixed(4)} ms  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}\n`);
    }
  }
} finally {
  session?.disconnect();
  warmServer.stop();
  server.stop();
  stores.stop();
}
