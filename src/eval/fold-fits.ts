import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { abstainedFit, fitOnFold } from '../fuse/cross-validate.js';
import type { FittedStrategy, FusionStrategy, ScoreMetric } from '../fuse/strategy.js';
import { integerFromEnv } from '../task/env-integer.js';
import { InputError } from '../task/errors.js';

/** The environment variable that sets how many threads an evaluation fits on (1 = the main thread only). */
export const THREADS_VARIABLE = 'FUSION_THREADS';

/**
 * How many threads an evaluation fits `folds` folds on: `requested` when given, else
 * FUSION_THREADS, else as many as spread the folds evenly over every core the process may use
 * (`os.availableParallelism()`, see `threadsForFolds`).
 */
export function evalThreads(folds: number, requested?: number, env: Record<string, string | undefined> = process.env): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new InputError([{ file: 'options', field: 'threads', message: `must be a positive integer, got ${String(requested)}` }]);
    return requested;
  }
  return integerFromEnv(env, THREADS_VARIABLE, { min: 1, what: 'a positive integer' }) ?? threadsForFolds(folds, availableParallelism());
}

/**
 * The fewest threads (at least `cores`) among which `folds` folds of about equal work share
 * `cores` cores evenly: a fold is the unit of work, so on as many threads as cores the busiest
 * thread fits ceil(folds / cores) folds while the others idle at the end (5 folds on 2 cores: 3
 * against 2). With more threads than cores the system shares the cores among them, and once no
 * thread holds more than folds / cores folds, every core works until the end (5 folds on 2 cores:
 * 3 threads). One thread per fold at most; one core means this thread only.
 */
export function threadsForFolds(folds: number, cores: number): number {
  if (cores <= 1 || folds <= 1) return 1;
  for (let t = cores; t < folds; t++) if (Math.ceil(folds / t) * cores <= folds) return t;
  return folds;
}

/**
 * One evaluation's cross-validation fits, as a worker thread re-creates them: the answers, gold,
 * folds and fit options, and the strategies by the names they were asked for (undefined = every
 * registered one), which the worker selects exactly as the evaluation did.
 */
export interface FoldFitJob {
  matrix: AnswerMatrix;
  gold: Int32Array;
  folds: number[][];
  seed: number;
  right?: Uint8Array;
  /** The metric the task kind is scored by (FitOptions.metric). */
  metric?: ScoreMetric;
  names: readonly string[] | undefined;
}

/** What a worker sends back for one fold: every strategy's fitted state, in order, or why it could not. */
export type FoldMessage = { fold: number; names: string[]; states: unknown[] } | { fold: number; error: string };

/** What a worker is started with: the job, the shared fold counter and the port it answers on. */
export interface WorkerInput {
  job: FoldFitJob;
  /** [0]: the next fold to claim; [1]: how many answers were posted (waited on by the main thread); [2]: how many workers started. */
  counter: Int32Array;
  port: MessagePort;
}

/** How long workers may take to start (load their modules) before this thread fits the folds none claimed. */
const STARTUP_LIMIT_MS = 60_000;

/**
 * A worker that dies hard after claiming a fold (out of memory, killed) never answers, and this
 * thread, blocked here, never sees its exit event. So a fold outstanding for longer than this, or
 * than 3 times the longest fold this thread fitted, is fitted here as well: fits are deterministic,
 * so whichever answer comes first is the same answer, and the wait always ends.
 */
const STALL_FLOOR_MS = 60_000;

/**
 * The worker: its compiled module next to this one, or, running from the TypeScript sources
 * (tests, tsx), the TypeScript module loaded through tsx's loader, registered in the worker first.
 */
function startWorker(input: WorkerInput): Worker {
  const options = { workerData: input, transferList: [input.port] };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./fold-fits-worker.js', import.meta.url), options);
  // tsx's ESM entry (its CommonJS one cannot register the loader from an ES module).
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const entry = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
  const tsx = new URL(entry, pathToFileURL(manifest)).href;
  const script = new URL('./fold-fits-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); })`, { ...options, eval: true });
}

/** `strategies` fitted on fold `fold` of `job`, in order: what this thread and each worker compute per fold. */
export function fitJobFold(strategies: readonly FusionStrategy[], job: FoldFitJob, fold: number): FittedStrategy[] {
  return strategies.map((s) => fitOnFold(s, job.matrix, job.gold, job.folds, fold, { seed: job.seed, ...(job.right ? { right: job.right } : {}), ...(job.metric ? { metric: job.metric } : {}) }));
}

/**
 * Fits `strategies` (supervised, as the evaluation selected them from `job.names`) on every fold
 * of `job`, on `threads` threads: this one and `threads - 1` workers claim folds from a shared
 * counter until none is left, so a fast thread takes more. A worker's fit comes back as the
 * strategy's state and is restored with its `load` (a saved strategy's round trip); a fold a worker
 * could not fit (an error, a strategy it does not know) is fitted here, so its error is thrown as
 * the one-thread path throws it. Blocks until every fold is fitted (the worker threads run while
 * this one waits). Returns fitted[strategy][fold] and how many folds the workers fitted; null
 * when there is nothing to share out. `here: false` leaves every fold to the workers (tests).
 */
export function fitFoldsInParallel(
  strategies: readonly FusionStrategy[],
  job: FoldFitJob,
  threads: number,
  options: { here?: boolean; stallMs?: number; startWorker?: (input: WorkerInput) => Worker } = {},
): { fitted: FittedStrategy[][]; byWorkers: number } | null {
  const F = job.folds.length;
  if (threads < 2 || F < 2 || strategies.length === 0) return null;
  const counter = new Int32Array(new SharedArrayBuffer(12));
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  const here = options.here ?? true;
  for (let w = 0; w < Math.min(threads, F) - (here ? 1 : 0); w++) {
    const { port1, port2 } = new MessageChannel();
    const input: WorkerInput = { job, counter, port: port2 };
    try {
      const worker = (options.startWorker ?? startWorker)(input);
      // A worker that fails (its module not found, a crash before it claims a fold) leaves its folds to this thread.
      worker.on('error', () => undefined);
      worker.unref();
      workers.push(worker);
      ports.push(port1);
    } catch {
      // No worker could start here (e.g. a bundle without the worker's file): this thread fits its folds.
      port1.close();
      break;
    }
  }
  const byFold: (FittedStrategy[] | undefined)[] = Array.from({ length: F }, () => undefined);
  let byWorkers = 0;
  try {
    let longestHere = 0;
    const fitTimed = (f: number): FittedStrategy[] => {
      const started = Date.now();
      const fits = fitJobFold(strategies, job, f);
      longestHere = Math.max(longestHere, Date.now() - started);
      return fits;
    };
    const claimHere = () => {
      for (let f = Atomics.add(counter, 0, 1); f < F; f = Atomics.add(counter, 0, 1)) byFold[f] = fitTimed(f);
    };
    // Without a worker (none could start) this thread fits every fold.
    if (here || workers.length === 0) claimHere();
    const waitingSince = Date.now();
    let lastProgress = waitingSince;
    const restore = (m: FoldMessage): FittedStrategy[] | undefined => {
      if ('error' in m || m.names.join('\u0000') !== strategies.map((s) => s.name).join('\u0000')) return undefined;
      return strategies.map((s, k) => abstainedFit(s.name, m.states[k]) ?? s.load(m.states[k], job.matrix.labels));
    };
    let missing = byFold.filter((b) => b === undefined).length;
    while (missing > 0) {
      const posted = Atomics.load(counter, 1);
      for (const port of ports) {
        for (let r = receiveMessageOnPort(port); r; r = receiveMessageOnPort(port)) {
          const m = r.message as FoldMessage;
          if (byFold[m.fold] !== undefined) continue;
          const restored = restore(m);
          if (restored) byWorkers++;
          byFold[m.fold] = restored ?? fitTimed(m.fold);
          missing--;
          lastProgress = Date.now();
        }
      }
      if (missing === 0) break;
      // Workers that never started (their module did not load) leave their folds to this thread.
      if (Atomics.load(counter, 2) === 0 && Date.now() - waitingSince > STARTUP_LIMIT_MS) {
        claimHere();
        missing = byFold.filter((b) => b === undefined).length;
        if (missing === 0) break;
      }
      const stallLimit = options.stallMs ?? Math.max(STALL_FLOOR_MS, 3 * longestHere);
      if (Date.now() - lastProgress > stallLimit) {
        const f = byFold.findIndex((b) => b === undefined);
        byFold[f] = fitTimed(f);
        missing--;
        lastProgress = Date.now();
        continue;
      }
      Atomics.wait(counter, 1, posted, 100);
    }
  } finally {
    for (const w of workers) void w.terminate();
    for (const p of ports) p.close();
  }
  return { fitted: strategies.map((_, s) => byFold.map((fits) => (fits as FittedStrategy[])[s] as FittedStrategy)), byWorkers };
}
