/**
 * What the SDK-path benches share: their `--name value` flags, and the fake provider server in a
 * child process (so its CPU is not counted) with the three SDK models resolved against it and a
 * classification task's request builder; a scratch folder with fresh stores of one kind; and the
 * nearest-rank quantile and main-thread CPU clock their latency and stall figures are read with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ModelHandle } from '../src/orchestrate/orchestrator.js';
import type { GenerateRequest, GenerateResult, LanguageModel } from '../src/providers/provider.js';
import type { ResponseStore } from '../src/orchestrate/cache.js';
import type { ClassificationTask } from '../src/task/schema.js';
import { freshDatabase, startPostgres, type TestPostgres } from '../test/support/postgres.js';
import { kindOf, createRequestBuilder, PostgresStore, SqliteStore, resolveModels } from './library.js';

/** The q-quantile (0..1) of values, nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** The main thread's time on a CPU so far, ms (Linux schedstat of the thread whose id is the pid: time running, not waiting for a core). */
export const mainCpuMs = (): number => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

export { flag } from './flags.js';

export interface FakeServerSetup {
  child: ChildProcess;
  models: ModelHandle[];
  task: ClassificationTask;
  buildRequest: ReturnType<typeof createRequestBuilder>;
  /** Ends the server process. */
  stop(): void;
}

/** Starts the fake server answering with `labels` after `latency` ms, and points `models` (provider:model specs) at it. */
export async function startFakeServer(labels: readonly string[], latency: number, models: readonly string[]): Promise<FakeServerSetup> {
  const script = fileURLToPath(new URL('../test/support/fake-llm-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--labels', labels.join(','), '--latency', String(latency)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  let port = 0;
  for await (const line of rl) {
    port = (JSON.parse(line) as { port: number }).port;
    break;
  }
  const url = `http://127.0.0.1:${port}`;
  const task: ClassificationTask = { name: 'bench', kind: 'classification', labels: labels.map((name) => ({ name, aliases: [] })), instructions: 'Label the sentiment.' };
  return {
    child,
    models: resolveModels([...models], { OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: `${url}/v1`, ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: url, OLLAMA_HOST: url }),
    task,
    buildRequest: createRequestBuilder(task, kindOf(task).prompt),
    stop() {
      child.stdin?.end();
      child.kill('SIGTERM');
    },
  };
}

/** Wraps a model to time each call as the orchestrator sees it (SDK, transport, event-loop waits and the server): `onCall(start, ms)` after each. */
export class TimedModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly supportsLogprobs: boolean;
  constructor(private readonly inner: LanguageModel, private readonly onCall: (start: number, ms: number) => void) {
    this.provider = inner.provider;
    this.modelId = inner.modelId;
    this.supportsLogprobs = inner.supportsLogprobs;
  }
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const t0 = performance.now();
    try {
      return await this.inner.generate(request);
    } finally {
      this.onCall(t0, performance.now() - t0);
    }
  }
}

export interface BenchStores {
  /** The scratch folder (SQLite files, responses files); removed by `stop`. */
  readonly dir: string;
  /** A fresh, empty store named `name`: a SQLite file in `dir`, or a new database of one throwaway PostgreSQL server. */
  open(name: string): Promise<ResponseStore>;
  stop(): void;
}

export function benchStores(kind: 'sqlite' | 'postgres', prefix: string): BenchStores {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let pg: TestPostgres | undefined;
  return {
    dir,
    async open(name) {
      if (kind === 'sqlite') return new SqliteStore(join(dir, `${name}.sqlite`));
      pg ??= await startPostgres();
      const s = new PostgresStore(await freshDatabase(pg, name.replace(/\W/g, '')));
      await s.ready();
      return s;
    },
    stop() {
      pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
