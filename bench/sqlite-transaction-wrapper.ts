/**
 * What better-sqlite3's `db.transaction(fn)` costs to build, against running a transaction built
 * once: the SQLite store used to build its claim and group-commit transactions at every claim turn
 * and every group commit (BENCHMARKS.md, "Main-thread work per call"). CPU time per operation
 * (process.cpuUsage), three rounds, on an in-memory database with an empty transaction body.
 *
 *   npx tsx bench/sqlite-transaction-wrapper.ts [--n 20000]
 */
import Database from 'better-sqlite3';
import { flag } from './flags.js';

const N = Number(flag('n', '20000'));
const db = new Database(':memory:');
const body = (): number => 1;
let sink: unknown;

function perOperation(run: () => void): number {
  for (let i = 0; i < N / 10; i++) run();
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

const built = db.transaction(body);
for (let round = 1; round <= 3; round++) {
  const wrap = perOperation(() => {
    sink = db.transaction(body);
  });
  const buildAndRun = perOperation(() => {
    sink = db.transaction(body).immediate();
  });
  const runBuilt = perOperation(() => {
    sink = built.immediate();
  });
  console.log(`round ${round}: building the wrapper ${wrap.toFixed(2)} us; building and running an empty immediate transaction ${buildAndRun.toFixed(2)} us; running one built once ${runBuilt.toFixed(2)} us`);
}
void sink;
