/**
 * V8 deoptimizations per run of the orchestration bench: reads the stdout of
 *   node --trace-deopt --import tsx bench/orchestration.ts <the section's flags> --no-write --mark-runs > trace.out
 * and prints, per run (store and label, in order), how many functions were deoptimized while it ran.
 * A measured run that deoptimizes hot functions runs them interpreted for a while: what made the first
 * store measured pay more than the second (BENCHMARKS.md, "Orchestration overhead").
 *
 *   npx tsx bench/deopts-per-run.ts trace.out [--all]   (--all: the warm-up runs too)
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npx tsx bench/deopts-per-run.ts TRACE_FILE [--all]\n');
  process.exit(2);
}
const all = process.argv.includes('--all');
const counts = new Map<string, number>();
let current: string | undefined;
for await (const line of createInterface({ input: createReadStream(file) })) {
  const mark = /^RUN (\S+) (\S+) (start|end)$/.exec(line);
  if (mark) {
    current = mark[3] === 'start' ? `${mark[1]} ${mark[2]}` : undefined;
    if (current !== undefined) counts.set(current, 0);
    continue;
  }
  if (current !== undefined && line.includes('bailout (kind: deopt')) counts.set(current, (counts.get(current) ?? 0) + 1);
}
const warm = /^(\S+) (warm-|steady-)/;
process.stdout.write('| run (store label) | deoptimizations |\n|---|---|\n');
for (const [run, n] of counts) if (all || !warm.test(run)) process.stdout.write(`| ${run} | ${n} |\n`);
