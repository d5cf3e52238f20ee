/**
 * Sums a `node --trace-gc-nvp` log over the measured run of bench/loop-stalls.ts (or any span): per
 * kind of GC, the count and pauses, and for scavenges the bytes that survived in the young
 * generation and the bytes promoted to the old one, per scavenge and in total. Bytes do not depend
 * on how busy the machine is; pauses do (a scavenge's parallel tasks wait for a core).
 *
 *   node --trace-gc-nvp --import tsx bench/loop-stalls.ts --store sqlite > trace.txt
 *   npx tsx bench/gc-trace-summary.ts trace.txt
 *
 * The span and the process are read from loop-stalls' line `measured run: pid P from A to B ms`;
 * --pid, --from and --to override them.
 */
import { readFileSync } from 'node:fs';
import { flag } from './flags.js';

const file = process.argv[2];
if (!file || file.startsWith('--')) throw new Error('usage: gc-trace-summary.ts trace.txt [--pid P --from ms --to ms]');
const text = readFileSync(file, 'utf8');
const marker = /measured run: pid (\d+) from (\d+) to (\d+) ms/.exec(text);
const pid = flag('pid', marker?.[1] ?? '');
const from = Number(flag('from', marker?.[2] ?? '0'));
const to = Number(flag('to', marker?.[3] ?? 'Infinity'));
if (!pid) throw new Error('no pid: give --pid, or a trace with loop-stalls output in it');

interface Kind { count: number; pauses: number[]; survived: number; promoted: number; allocated: number }
const kinds = new Map<string, Kind>();
for (const line of text.split('\n')) {
  const head = /^\[(\d+):0x[0-9a-f]+\]\s+(\d+) ms: pause=([\d.]+) .*? gc=(\w+) /.exec(line);
  if (!head || head[1] !== pid) continue;
  const at = Number(head[2]);
  if (at < from || at > to) continue;
  const field = (name: string) => Number(new RegExp(` ${name}=(\\d+)`).exec(line)?.[1] ?? 0);
  const kind = kinds.get(head[4] as string) ?? { count: 0, pauses: [], survived: 0, promoted: 0, allocated: 0 };
  kind.count++;
  kind.pauses.push(Number(head[3]));
  kind.survived += field('new_space_survived');
  kind.promoted += field('promoted');
  kind.allocated += field('allocated');
  kinds.set(head[4] as string, kind);
}
const mb = (b: number) => (b / 1024 / 1024).toFixed(2);
process.stdout.write(`pid ${pid}, ${from} to ${to} ms (${((to - from) / 1000).toFixed(1)} s)\n`);
for (const [name, k] of kinds) {
  const sorted = [...k.pauses].sort((a, b) => b - a);
  const total = k.pauses.reduce((a, b) => a + b, 0);
  const bytes = name === 's' ? `; survived ${mb(k.survived / k.count)} MB and promoted ${mb(k.promoted / k.count)} MB per scavenge (total ${mb(k.survived)} / ${mb(k.promoted)} MB); allocated between GCs ${mb(k.allocated / k.count)} MB` : '';
  process.stdout.write(`gc=${name}: ${k.count}, pauses total ${total.toFixed(1)} ms, longest ${sorted.slice(0, 3).map((p) => p.toFixed(1)).join(', ')} ms${bytes}\n`);
}
