import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, CommonJS, given as text so that it runs the same from the sources (tsx,
 * vitest) and from dist/: its own connection to the file, a PASSIVE checkpoint on a timer. PASSIVE
 * never waits for a reader or the writer and skips what it cannot copy yet; errors (a busy or full
 * disk) are left to the next round, the WAL meanwhile keeping every commit. When the WAL has grown
 * long it says `long` and skips its rounds until told `finish`: then the store's writes are held,
 * and one more checkpoint copies all of it (see the class).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 0 });
let finishing = false;
const timer = setInterval(() => {
  if (finishing) return;
  try {
    const [state] = db.pragma('wal_checkpoint(PASSIVE)');
    if (state.log >= workerData.restartFrames) {
      finishing = true;
      parentPort.postMessage('long');
    }
  } catch {}
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'finish') {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    finishing = false;
    parentPort.postMessage('finished');
    return;
  }
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

/** SQLite's default automatic checkpoint threshold (wal_autocheckpoint), in WAL frames (pages). */
const RESTART_FRAMES = 1000;

const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * WAL checkpoints off the event loop. SQLite checkpoints by itself on the committing connection
 * once the WAL passes a size (copying those pages into the database file and syncing it), which
 * stalls every call in flight while it lasts (BENCHMARKS.md). The store turns that off on its
 * connection (`wal_autocheckpoint = 0`) and this worker thread checkpoints instead, on a
 * connection of its own. Durability is the WAL's and is unchanged: a commit is durable once in the
 * WAL, whether or not it has been copied into the database file yet. The worker never keeps the
 * process alive; when the store closes it stops the worker first, so that its own close (the last
 * connection) checkpoints what is left and removes the WAL as before.
 *
 * A checkpoint running beside a busy writer rarely copies the very last frames, and SQLite starts
 * the WAL over only when all of it was copied: left alone, the WAL would grow for the whole run.
 * So once the worker finds it longer than SQLite's own checkpoint threshold, the store's writes
 * are held (`hold`: its claim transactions and group commits wait, the event loop does not) while
 * the worker checkpoints once more, with no writer of this process beside it, so it copies all of
 * it; then they go on (`resume`), and the next write starts the WAL over. The store's own
 * connection never checkpoints during a run: a checkpoint there syncs the WAL and the database
 * file while every call in flight waits. A worker that does not answer within one of its rounds
 * (a stuck disk) gives the writes back, and the WAL grows until the next try; one that ends
 * while they are held gives them back at once.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Set while the store's writes are held for the worker's last checkpoint. */
  private holding: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly writes: { hold(): void; resume(): void },
    private readonly intervalMs = 1_000,
  ) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  start(): void {
    if (this.worker) return;
    const worker = new Worker(WORKER, { eval: true, workerData: { driver: driverPath, path: this.path, intervalMs: this.intervalMs, restartFrames: RESTART_FRAMES } });
    worker.on('message', (message: unknown) => {
      // A `long` sent just before `stop` reaches the worker would hold the writes of a store that is
      // closing (for a round, keeping the process alive): a stopped worker's messages hold nothing.
      if (this.worker !== worker) return;
      if (message === 'long' && this.holding === undefined) {
        this.writes.hold();
        this.holding = setTimeout(() => this.resume(), this.intervalMs);
        worker.postMessage('finish');
      } else if (message === 'finished') this.resume();
    });
    // A worker that fails to start (no threads, a driver that will not load) leaves the WAL to grow
    // until the store closes, which checkpoints it: nothing is lost, so nothing is reported.
    worker.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        // A worker that ends (it crashed, or its thread was ended) while the writes are held for it
        // will never say `finished`: they go on now rather than at the end of its round.
        if (this.worker === worker) this.resume();
        resolve();
      }),
    );
    worker.unref();
    this.worker = worker;
  }

  private resume(): void {
    if (this.holding === undefined) return;
    clearTimeout(this.holding);
    this.holding = undefined;
    this.writes.resume();
  }

  /** Stops the worker and waits for its connection to be closed; writes held for it go on. */
  async stop(): Promise<void> {
    this.resume();
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    // Waited for like any other work of close(): an unreferenced worker would let the process end
    // in the middle of the close, before the store's own connection is closed.
    worker.ref();
    worker.postMessage('stop');
    // A worker stuck in a checkpoint on a dead disk is not waited for long: terminate closes it.
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
    await Promise.race([this.exited, timeout]);
    await worker.terminate();
  }
}
