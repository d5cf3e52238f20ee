/**
 * `adaptive`'s checkpoint 0 (the item's text alone, before any call) in synthetic crowds whose items
 * carry texts (test/support/adaptive-worlds.ts `withTexts`): per world and share of items whose
 * words name their label, the mean realised loss on new items against the full strategy ± its
 * standard error over draws (share of draws over 0.5 point) @ share of calls, with checkpoint 0 and
 * without it (the same fit), and the share of new items decided with no call.
 *
 *   npx tsx bench/adaptive-text-worlds.ts [--draws 10] [--train 400] [--test 4000] [--cued 0.5,0.2,0] [--unseen none|pseudo]
 */
import { parseArgs } from 'node:util';
import type { UnseenDisagreement } from '../src/fuse/adaptive/operating-point.js';
import { ADAPTIVE_WORLDS, MANY_MODEL_WORLD, textCheckpointLosses } from '../test/support/adaptive-worlds.js';

const { values } = parseArgs({ options: { draws: { type: 'string', default: '10' }, train: { type: 'string', default: '400' }, test: { type: 'string', default: '4000' }, cued: { type: 'string', default: '0.5,0.2,0' }, unseen: { type: 'string' } } });
/** How the bound counts disagreements the rows did not show (adaptive's default when absent). */
const options = values.unseen ? { unseen: values.unseen as UnseenDisagreement } : {};
const draws = Number(values.draws);
const sizes = { train: Number(values.train), test: Number(values.test) };
const summary = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean: m, se: sd / Math.sqrt(xs.length) };
};
const cell = (loss: number[], calls: number[]) => {
  const s = summary(loss.map((l) => 100 * l));
  const over = loss.filter((l) => l > 0.005).length / loss.length;
  return `${s.mean >= 0 ? '+' : ''}${s.mean.toFixed(2)}±${s.se.toFixed(2)} (${over.toFixed(2)}) @ ${(calls.reduce((a, b) => a + b, 0) / calls.length).toFixed(3)}`;
};
console.log('| world | cued share | checkpoint 0 | without it (same fit) | items decided from text |');
console.log('|---|---|---|---|---|');
for (const spec of [...ADAPTIVE_WORLDS, MANY_MODEL_WORLD]) {
  for (const cued of (values.cued as string).split(',').map(Number)) {
    const runs = Array.from({ length: draws }, (_, d) => textCheckpointLosses(spec, cued, 1000 + d, sizes, options));
    const fromText = runs.reduce((a, r) => a + r.text.fromText, 0) / runs.length;
    console.log(`| ${spec.name} | ${cued} | ${cell(runs.map((r) => r.text.loss), runs.map((r) => r.text.calls))} | ${cell(runs.map((r) => r.base.loss), runs.map((r) => r.base.calls))} | ${fromText.toFixed(3)} |`);
  }
}
