/**
 * CPU seconds of a command, per thread (Linux /proc, polled every 100 ms until the command ends):
 * on a machine shared with other jobs wall time says little, and the busiest thread's CPU time
 * bounds the wall time the command would take with a core to each thread. Threads that use
 * less than 0.05 s (the runtime's helpers) are summed as `other`.
 *
 *   npx tsx bench/thread-cpu.ts -- node dist/cli/main.js eval ../shared/data/policy-topic-en --quiet --json out.json
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const args = process.argv.slice(process.argv.indexOf('--') + 1);
const TICK = 100; // clock ticks per second (getconf CLK_TCK on Linux)
const seen = new Map<string, { name: string; ticks: number }>();
const t0 = Date.now();
const child = spawn(args[0] as string, args.slice(1), { stdio: 'inherit' });
const poll = () => {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      seen.set(tid, { name, ticks: Math.max(ticks, seen.get(tid)?.ticks ?? 0) });
    }
  } catch {
    // The process or a thread ended between the listing and the read.
  }
};
const timer = setInterval(poll, 100);
child.on('exit', (code) => {
  clearInterval(timer);
  const wall = (Date.now() - t0) / 1000;
  const threads = [...seen.values()].map((t) => ({ name: t.name, s: t.ticks / TICK })).sort((a, b) => b.s - a.s);
  const big = threads.filter((t) => t.s >= 0.05);
  const other = threads.filter((t) => t.s < 0.05).reduce((a, t) => a + t.s, 0);
  const total = threads.reduce((a, t) => a + t.s, 0);
  console.log(`exit ${code}; wall ${wall.toFixed(1)} s; CPU ${total.toFixed(1)} s; busiest thread ${(big[0]?.s ?? 0).toFixed(1)} s`);
  console.log(`threads: ${big.map((t) => `${t.name} ${t.s.toFixed(1)}`).join(', ')}${other > 0 ? `, other ${other.toFixed(2)}` : ''}`);
});
