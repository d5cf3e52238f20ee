/**
 * What a call in flight keeps alive on the heap, counted rather than timed (so a shared machine does
 * not change it): records items x 3 models through the SDKs against the fake server (child process)
 * with a long fixed latency, and once --concurrency calls are in flight takes a heap snapshot (which
 * runs a full GC first, so it holds only what is alive), and another after the run; prints the
 * objects alive in the first that the baseline did not hold, by object type and constructor, per call in flight and per call waiting for a slot
 * (asked by the record window but not yet sent), largest first.
 *
 *   npx tsx bench/heap-in-flight.ts [--items 300] [--latency 3000] [--concurrency 64] [--window N] [--store sqlite|postgres] [--top 40] [--save dir] [--sites [--site-detail]] [--later ms]
 *
 * --later ms: count only what is alive both at that snapshot and at a second one taken ms later (run
 * it with the latency of the run to study, e.g. --latency 500 --later 1200, about the time between
 * two scavenges there): what outlives a scavenge interval and is promoted to the old generation.
 *
 * --sites: group by where each object was allocated (the innermost function of its allocation
 * stack, from the heap profiler's allocation tracking) instead of by constructor; --site-detail
 * splits each site by type and constructor.
 * --window: items in progress at once (recordResponses' window; default its own, defaultWindow).
 * With a window of concurrency / 3 items every call asked is in flight, and the difference is what
 * a call in flight holds alone.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { benchStores, flag, startFakeServer } from './sdk-bench-setup.js';
import { Orchestrator, defaultWindow, recordResponses } from './library.js';

const ITEMS = Number(flag('items', '300'));
const LATENCY = Number(flag('latency', '3000'));
const CONCURRENCY = Number(flag('concurrency', '64'));
const WINDOW = flag('window', '');
const STORE = flag('store', 'sqlite');
const TOP = Number(flag('top', '40'));
const SAVE = flag('save', '');
const SITES = process.argv.includes('--sites');
const LATER = Number(flag('later', '0'));
/** With --sites: each site split by the type and constructor of what it allocated. */
const SITE_DETAIL = process.argv.includes('--site-detail');
const LABELS = ['positive', 'negative', 'neutral'];
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; trace_function_info_fields?: string[] } };
  nodes: number[];
  strings: string[];
  /** With allocation tracking: the functions of the allocation stacks, and the stacks as a tree of [id, function, count, size, children]. */
  trace_function_infos?: number[];
  trace_tree?: unknown[];
}

/**
 * Where a node was allocated (allocation tracking on): the innermost function of its stack, named
 * with the part of the process its script belongs to (ours, a package, Node).
 */
function allocationSites(snap: Snapshot): (traceNode: number) => string {
  const infos = snap.trace_function_infos ?? [];
  const fields = snap.snapshot.meta.trace_function_info_fields ?? [];
  const width = fields.length;
  const nameAt = fields.indexOf('name');
  const scriptAt = fields.indexOf('script_name');
  const lineAt = fields.indexOf('line');
  const site = new Map<number, string>();
  const visit = (tree: unknown[]): void => {
    for (let i = 0; i < tree.length; i += 5) {
      const fn = (tree[i + 1] as number) * width;
      const script = snap.strings[infos[fn + scriptAt] as number] ?? '';
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(script)?.[1];
      const ours = /\/((?:src|bench|test)\/.*)$/.exec(script)?.[1];
      const where = pkg ? `package ${pkg}` : ours ? ours : script.startsWith('node:') ? script : script || '(native)';
      site.set(tree[i] as number, `${where}: ${snap.strings[infos[fn + nameAt] as number] || '(anonymous)'}:${(infos[fn + lineAt] as number) + 1}`);
      visit(tree[i + 4] as unknown[]);
    }
  };
  visit(snap.trace_tree ?? []);
  return (traceNode) => site.get(traceNode) ?? '(not tracked)';
}

/**
 * Count and self size, by (node type, name), of the nodes of `during` that `before` does not hold (node
 * ids are stable across the snapshots of one process): what was allocated since and is still alive.
 * Constructor names for objects and closures; strings, numbers and code grouped by type alone.
 */
function newObjects(before: Snapshot, during: Snapshot, bySite = false, alsoIn?: Snapshot): Map<string, { count: number; bytes: number }> {
  const fields = during.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const idAt = fields.indexOf('id');
  const traceAt = fields.indexOf('trace_node_id');
  const siteOf = allocationSites(during);
  const old = new Set<number>();
  for (let i = 0; i < before.nodes.length; i += width) old.add(before.nodes[i + idAt] as number);
  // With `alsoIn`: only what that earlier snapshot held too (alive across both).
  let earlier: Set<number> | undefined;
  if (alsoIn) {
    earlier = new Set<number>();
    for (let i = 0; i < alsoIn.nodes.length; i += width) earlier.add(alsoIn.nodes[i + idAt] as number);
  }
  const types = during.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < during.nodes.length; i += width) {
    if (old.has(during.nodes[i + idAt] as number)) continue;
    if (earlier && !earlier.has(during.nodes[i + idAt] as number)) continue;
    const type = types[during.nodes[i + typeAt] as number] as string;
    const name = during.strings[during.nodes[i + nameAt] as number] ?? '';
    const what = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${name.slice(0, 60)}` : type === 'array' || type === 'hidden' ? `${type} ${name.slice(0, 40)}` : type;
    const key = bySite ? `${siteOf(during.nodes[i + traceAt] as number)}${SITE_DETAIL ? ` -- ${what}` : ''}` : what;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += during.nodes[i + sizeAt] as number;
    out.set(key, entry);
  }
  return out;
}

/** Takes a heap snapshot into `dir/name.heapsnapshot` (nothing of it kept in this process: it would be in the next one). */
async function snapshot(session: Session, name: string): Promise<string> {
  const path = join(SAVE || dir, `${name}.heapsnapshot`);
  const fd = openSync(path, 'w');
  const onChunk = (m: { params: { chunk: string } }) => writeSync(fd, m.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  closeSync(fd);
  return path;
}

const server = await startFakeServer(LABELS, LATENCY, MODELS);
const { models, task, buildRequest } = server;
const stores = benchStores(STORE === 'postgres' ? 'postgres' : 'sqlite', 'heap-in-flight-');
const { dir } = stores;
const openStore = (name: string) => stores.open(name);
const session = new Session();
session.connect();
try {
  // Warm-up on the same server (its keep-alive sockets then belong to the baseline): pools, the JIT, the store's statements.
  {
    const cache = await openStore('warm');
    const orchestrator = new Orchestrator({ concurrency: CONCURRENCY, cache });
    const items = Array.from({ length: Number(flag('warm-items', '128')) }, (_, i) => ({ id: `w${i}`, text: `Benchmark review w${i}: it was ${['fine', 'bad', 'great'][i % 3]}.` }));
    await recordResponses({ task, items, models, responsesPath: join(dir, 'warm.jsonl'), orchestrator, buildRequest });
    await cache.close();
  }
  const cache = await openStore('measured');
  const orchestrator = new Orchestrator({ concurrency: CONCURRENCY, cache });
  const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `m${i}`, text: `Benchmark review m${i}: it was ${['fine', 'bad', 'great'][i % 3]}.` }));
  let asked = 0;
  const counting = models.map((h) => ({
    ...h,
    model: {
      provider: h.model.provider,
      modelId: h.model.modelId,
      supportsLogprobs: h.model.supportsLogprobs,
      generate: (request: Parameters<typeof h.model.generate>[0]) => {
        asked++;
        return h.model.generate(request);
      },
    },
  }));
  // Allocation stacks for every object from here on (--sites): where what survives was allocated.
  if (SITES) await session.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  // The baseline: the same process with the store open and nothing asked yet.
  const before = await snapshot(session, 'before');
  const run = recordResponses({ task, items, models: counting, responsesPath: join(dir, 'measured.jsonl'), orchestrator, buildRequest, ...(WINDOW ? { window: Number(WINDOW) } : {}) });
  // Half a latency after the slots filled: every call in flight has sent its request and waits for the answer.
  while (orchestrator.stats().inFlight < CONCURRENCY) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, LATENCY / 2));
  const inFlight = orchestrator.stats().inFlight;
  const window = WINDOW ? Number(WINDOW) : defaultWindow(CONCURRENCY, MODELS.length);
  const waiting = Math.min(ITEMS, window) * MODELS.length - inFlight;
  const sent = asked;
  const during = await snapshot(session, 'during');
  // --later: a second snapshot after that many ms of the run (the first blocked the event loop, so
  // the wait starts after it): what was alive at both is what a scavenge between them would promote.
  let later: string | undefined;
  if (LATER > 0) {
    await new Promise((r) => setTimeout(r, LATER));
    later = await snapshot(session, 'later');
  }
  const r = await run;
  await cache.close();
  if (r.failed.length > 0) throw new Error(`${r.failed.length} calls failed`);
  const load = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const rows = [...(later ? newObjects(load(before), load(later), SITES, load(during)) : newObjects(load(before), load(during), SITES))].map(([k, v]) => ({ k, ...v }));
  const total = rows.reduce((s, x) => s + x.bytes, 0);
  process.stdout.write(
    `${STORE}: ${inFlight} calls in flight and about ${waiting} asked but waiting for a slot (window ${window} items x ${MODELS.length} models), ${sent} sent so far; ${later ? `objects allocated since the run began and alive both then and ${LATER} ms later` : 'live objects allocated since the run began'}: ${(total / 1024).toFixed(0)} KB, ${(total / 1024 / Math.max(1, inFlight)).toFixed(1)} KB per call in flight\n`,
  );
  process.stdout.write(`bytes     count    per call in flight (bytes, count)  ${SITES ? 'allocated in (innermost function)' : 'type and constructor'}\n`);
  for (const x of rows.sort((a, b) => b.bytes - a.bytes).slice(0, TOP)) {
    process.stdout.write(`${String(x.bytes).padStart(9)} ${String(x.count).padStart(7)}    ${(x.bytes / inFlight).toFixed(0).padStart(7)} ${(x.count / inFlight).toFixed(1).padStart(7)}      ${x.k}\n`);
  }
} finally {
  session.disconnect();
  server.stop();
  stores.stop();
}
