import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { selectStrategies } from '../../src/eval/evaluate.js';
import { evaluateClassification } from '../../src/kinds/classification/evaluate.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { evalThreads, fitFoldsInParallel, threadsForFolds, type WorkerInput } from '../../src/eval/fold-fits.js';
import { crossValidateStrategy, strategyFolds } from '../../src/fuse/cross-validate.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';
import { InputError } from '../../src/task/errors.js';
import { type ClassificationFolder, loadEvalFolder, type QaFolder } from '../../src/kinds/load-folder.js';
import { sharedData } from '../support/shared-data.js';

describe('threadsForFolds', () => {
  it('takes the fewest threads, at least one per core, among which the folds share the cores evenly', () => {
    expect(threadsForFolds(5, 2)).toBe(3);
    expect(threadsForFolds(4, 2)).toBe(2);
    expect(threadsForFolds(10, 2)).toBe(2);
    expect(threadsForFolds(3, 2)).toBe(3);
    expect(threadsForFolds(5, 4)).toBe(5);
    expect(threadsForFolds(2, 8)).toBe(2);
  });

  it('stays on this thread with one core or one fold', () => {
    expect(threadsForFolds(5, 1)).toBe(1);
    expect(threadsForFolds(1, 4)).toBe(1);
  });
});

describe('evalThreads', () => {
  it('takes the option, else FUSION_THREADS, else the cores spread over the folds', () => {
    expect(evalThreads(5, 1, { FUSION_THREADS: '4' })).toBe(1);
    expect(evalThreads(5, undefined, { FUSION_THREADS: '4' })).toBe(4);
    expect(evalThreads(5, undefined, {})).toBeGreaterThanOrEqual(1);
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => evalThreads(5, undefined, { FUSION_THREADS: 'two' })).toThrow(InputError);
    expect(() => evalThreads(5, undefined, { FUSION_THREADS: '0' })).toThrow(/FUSION_THREADS.*positive integer/);
    expect(() => evalThreads(5, 1.5, {})).toThrow(InputError);
  });
});

describe('fitFoldsInParallel', () => {
  const { matrix, gold } = syntheticAnswers({ items: 160, models: 5, labels: 3, seed: 7, abstainRate: 0.05 });
  const options = { folds: 4, seed: 3 };

  it('fits every fold on worker threads, restored to the predictions and states of fitting on this thread', () => {
    const supervised = selectStrategies(matrix).run.filter((s) => s.supervised);
    const folds = strategyFolds(gold, options);
    const parallel = fitFoldsInParallel(supervised, { matrix, gold, folds, seed: options.seed, names: undefined }, 2, { here: false });
    expect(parallel?.byWorkers).toBe(folds.length);
    expect(supervised.map((s) => s.name)).toContain('adaptive');
    supervised.forEach((s, k) => {
      const alone = crossValidateStrategy(s, matrix, gold, options);
      const fromWorkers = crossValidateStrategy(s, matrix, gold, options, parallel?.fitted[k]);
      expect(Array.from(fromWorkers.prediction.probs), s.name).toEqual(Array.from(alone.prediction.probs));
      expect(Array.from(fromWorkers.prediction.decided), s.name).toEqual(Array.from(alone.prediction.decided));
      expect(
        fromWorkers.fitted.map((f) => f.state()),
        s.name,
      ).toEqual(alone.fitted.map((f) => f.state()));
    });
  }, 120_000);

  it('does not wait forever for a worker that died after claiming a fold: the fold is fitted here too', () => {
    const supervised = selectStrategies(matrix, ['stacking', 'weighted-vote']).run.filter((s) => s.supervised);
    const folds = strategyFolds(gold, options);
    // A worker that starts, claims one fold and exits without answering, as one killed by running out of memory would.
    const dying = (input: WorkerInput): Worker =>
      new Worker(
        `const { workerData } = require('node:worker_threads'); const c = workerData.counter; Atomics.add(c, 2, 1); Atomics.add(c, 0, 1); process.exit(1);`,
        { eval: true, workerData: input, transferList: [input.port] },
      );
    const result = fitFoldsInParallel(supervised, { matrix, gold, folds, seed: options.seed, names: ['stacking', 'weighted-vote'] }, 2, { stallMs: 300, startWorker: dying });
    expect(result?.byWorkers).toBe(0);
    supervised.forEach((s, k) => {
      const alone = crossValidateStrategy(s, matrix, gold, options);
      expect(result?.fitted[k]?.map((f) => f.state()), s.name).toEqual(alone.fitted.map((f) => f.state()));
    });
  }, 60_000);

  it('leaves one thread, or a run without a supervised strategy, to the one-thread path', () => {
    const folds = strategyFolds(gold, options);
    const job = { matrix, gold, folds, seed: options.seed, names: undefined };
    expect(fitFoldsInParallel(selectStrategies(matrix).run.filter((s) => s.supervised), job, 1)).toBeNull();
    expect(fitFoldsInParallel([], job, 2)).toBeNull();
  });
});

describe('fusion eval on several threads, on real recorded answers', () => {
  const classification = sharedData('fiqa-sentiment');
  const qa = sharedData('mot-gsm8k');

  it.skipIf(!classification)('gives the very result of one thread (classification, every strategy, explanations)', () => {
    const folder = loadEvalFolder(classification as string) as ClassificationFolder;
    const one = evaluateClassification(folder, { folds: 5, seed: 1, explain: 2, threads: 1 });
    const three = evaluateClassification(folder, { folds: 5, seed: 1, explain: 2, threads: 3 });
    expect(one.strategies.map((s) => s.name)).toContain('adaptive');
    expect(JSON.stringify(three)).toBe(JSON.stringify(one));
  }, 300_000);

  it.skipIf(!qa)('gives the very result of one thread (QA)', async () => {
    const folder = loadEvalFolder(qa as string) as QaFolder;
    const strategies = ['best-model', 'stacking', 'auto', 'adaptive'];
    const { extras: { elapsedMs: _one, ...oneExtras }, ...oneCore } = await evaluateQaFolder(folder, { folds: 5, seed: 1, strategies, threads: 1 });
    const { extras: { elapsedMs: _two, ...twoExtras }, ...twoCore } = await evaluateQaFolder(folder, { folds: 5, seed: 1, strategies, threads: 2 });
    expect(JSON.stringify({ ...twoCore, ...twoExtras })).toBe(JSON.stringify({ ...oneCore, ...oneExtras }));
  }, 300_000);
});
