/**
 * What blocks the event loop at the tail with a store: records items x 3 in-process models (a fixed
 * latency, no HTTP) at --concurrency calls in flight into a fresh store, and reports the latency our
 * code adds to a call (p50 / p99 / max), the event loop's longest stalls, and the time spent inside
 * the store's synchronous writes (SQLite: claim transactions and group commits), with their longest.
 *
 *   npx tsx bench/store-tail.ts [--items 300] [--latency 500] [--concurrency 64] [--store sqlite|postgres] [--rounds 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ResponseStore } from '../src/orchestrate/cache.js';
import type { GenerateRequest, GenerateResult, LanguageModel } from '../src/providers/provider.js';
import type { ClassificationTask } from '../src/task/schema.js';
import { freshDatabase, startPostgres, type TestPostgres } from '../test/support/postgres.js';
import { flag, quantile } from './sdk-bench-setup.js';
import { PostgresStore, SqliteStore, createRequestBuilder, Orchestrator, recordResponses, kindOf } from './library.js';

const ITEMS = Number(flag('items', '300'));
const LATENCY = Number(flag('latency', '500'));
const CONCURRENCY = Number(flag('concurrency', '64'));
const STORE = flag('store', 'sqlite');
const ROUNDS = Number(flag('rounds', '1'));
const PRAGMA = flag('pragma', '');
const LABELS = ['positive', 'negative', 'neutral'];
const MODELS = ['openai:a', 'anthropic:b', 'ollama:c'];

/** Answers the first label after a fixed delay. */
class SleepModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly supportsLogprobs = false;
  constructor(spec: string) {
    [this.provider, this.modelId] = spec.split(':') as [string, string];
  }
  async generate(_request: GenerateRequest): Promise<GenerateResult> {
    await new Promise((r) => setTimeout(r, LATENCY));
    return { text: LABELS[0] as string, usage: { input: 10, output: 1 } };
  }
}

/** Wraps a synchronous method of the store to time it. */
function timeMethod(target: object, name: string, into: number[]): void {
  const proto = target as Record<string, unknown>;
  const inner = proto[name] as ((...args: unknown[]) => unknown) | undefined;
  if (typeof inner !== 'function') return;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return inner.apply(this, args);
    } finally {
      into.push(performance.now() - t0);
    }
  };
}

const task: ClassificationTask = { name: 'bench', kind: 'classification', labels: LABELS.map((name) => ({ name, aliases: [] })), instructions: 'Label the sentiment.' };
const buildRequest = createRequestBuilder(task, kindOf(task).prompt);
const dir = mkdtempSync(join(tmpdir(), 'store-tail-'));
let pg: TestPostgres | undefined;
const inStore: number[] = [];
for (const m of ['commit', 'claimQueued']) timeMethod(SqliteStore.prototype, m, inStore);
try {
  for (let round = 0; round < ROUNDS; round++) {
    let cache: ResponseStore;
    if (STORE === 'sqlite') {
      const s = new SqliteStore(join(dir, `r${round}.sqlite`));
      // Experiment switch: --pragma 'wal_autocheckpoint = 0' and the like, on the store's connection.
      if (PRAGMA) (s as unknown as { db: { pragma(p: string): unknown } }).db.pragma(PRAGMA);
      cache = s;
    }
    else {
      pg ??= await startPostgres();
      const s = new PostgresStore(await freshDatabase(pg, `r${round}`));
      await s.ready();
      cache = s;
    }
    const samples: number[] = [];
    const models = MODELS.map((name) => {
      const model = new SleepModel(name);
      return {
        name,
        model: {
          provider: model.provider,
          modelId: model.modelId,
          supportsLogprobs: false,
          // Timed as the orchestrator sees it: a stall of the loop after the timer fired is counted.
          async generate(request: GenerateRequest) {
            const t0 = performance.now();
            try {
              return await model.generate(request);
            } finally {
              samples.push(performance.now() - t0 - LATENCY);
            }
          },
        } satisfies LanguageModel,
      };
    });
    inStore.length = 0;
    const orchestrator = new Orchestrator({ concurrency: CONCURRENCY, cache });
    const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `r${round}i${i}`, text: `Benchmark review ${i}: it was ${['fine', 'bad', 'great'][i % 3]}.` }));
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await recordResponses({ task, items, models, responsesPath: join(dir, `r${round}.jsonl`), orchestrator, buildRequest });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    if (STORE === 'sqlite') {
      const db = (cache as unknown as { db: { pragma(p: string, o?: object): unknown } }).db;
      const { statSync } = await import('node:fs');
      process.stdout.write(`  WAL file at the end: ${(statSync(join(dir, `r${round}.sqlite-wal`)).size / 1024).toFixed(0)} KiB\n`);
      const c0 = performance.now();
      const wal = JSON.stringify(db.pragma("wal_checkpoint(PASSIVE)"));
      process.stdout.write(`  WAL: ${wal} (busy, WAL frames, frames checkpointed now), checkpoint took ${(performance.now() - c0).toFixed(1)} ms\n`);
    }
    await cache.close();
    if (r.failed.length > 0) throw new Error(`${r.failed.length} calls failed`);
    const calls = ITEMS * MODELS.length;
    const storeMs = inStore.reduce((a, b) => a + b, 0);
    process.stdout.write(
      [
        `round ${round + 1}: ${STORE}, ${calls} calls at ${CONCURRENCY} in flight, ${LATENCY} ms latency; wall ${(wall / 1000).toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1000 / calls).toFixed(3)} ms per call`,
        `  added latency p50 / p99 / max: ${quantile(samples, 0.5).toFixed(1)} / ${quantile(samples, 0.99).toFixed(1)} / ${Math.max(...samples).toFixed(1)} ms`,
        `  event-loop delay p99 / max: ${(loop.percentile(99) / 1e6).toFixed(1)} / ${(loop.max / 1e6).toFixed(1)} ms`,
        inStore.length > 0 ? `  synchronous store writes: ${inStore.length}, ${(storeMs / calls).toFixed(3)} ms per call; p99 / max ${quantile(inStore, 0.99).toFixed(1)} / ${Math.max(...inStore).toFixed(1)} ms` : '',
      ].filter(Boolean).join('\n') + '\n',
    );
  }
} finally {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
}
