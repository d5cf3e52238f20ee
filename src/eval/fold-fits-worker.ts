/**
 * A worker thread of `fitFoldsInParallel`: re-creates the evaluation's supervised strategies from
 * the names it was asked for, claims folds from the shared counter until none is left, and posts
 * each fold's fitted states (or why it could not fit them, for the main thread to fit that fold).
 */
import { workerData } from 'node:worker_threads';
import { selectStrategies } from './evaluate.js';
import { type FoldMessage, fitJobFold, type WorkerInput } from './fold-fits.js';

const { job, counter, port } = workerData as WorkerInput;
const post = (m: FoldMessage): void => {
  port.postMessage(m);
  Atomics.add(counter, 1, 1);
  Atomics.notify(counter, 1);
};
Atomics.add(counter, 2, 1);
const strategies = selectStrategies(job.matrix, job.names).run.filter((s) => s.supervised);
const names = strategies.map((s) => s.name);
for (let f = Atomics.add(counter, 0, 1); f < job.folds.length; f = Atomics.add(counter, 0, 1)) {
  try {
    const states = fitJobFold(strategies, job, f).map((fitted) => fitted.state());
    post({ fold: f, names, states });
  } catch (e) {
    post({ fold: f, error: e instanceof Error ? e.message : String(e) });
  }
}
port.close();
