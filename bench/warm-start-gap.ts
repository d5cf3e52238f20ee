/**
 * How far the warm starts left in stacking-text stop from a fit from scratch, on synthetic worlds
 * with item texts (that tell the label, or that are junk): `fitFrom` with one model more than the
 * previous fit (adaptive's next checkpoint) against `fit`, per setting and with the grid (which fits
 * from scratch, so 0), and the answers-only fallback (started from the text model's answer weights)
 * against plain stacking with the same setting. Largest probability difference on held-out items
 * and decisions that differ.
 *
 *   npx tsx bench/warm-start-gap.ts
 */
import { type AnswerMatrix, selectItems, selectModels } from '../src/fuse/answer-matrix.js';
import { createStacking } from '../src/fuse/stacking.js';
import { createStackingText } from '../src/fuse/stacking-text.js';
import type { StackingConfig } from '../src/fuse/stacking.js';
import { syntheticAnswers } from '../src/fuse/synthetic-answers.js';
import type { WarmStartable } from '../src/fuse/warm-start.js';
import { selectGold, stratifiedKFold, trainIndices } from '../src/validation/folds.js';

const strip = ({ texts: _, ...rest }: AnswerMatrix): AnswerMatrix => rest;
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];

function gap(a: Float64Array, b: Float64Array, K: number): { max: number; flips: number } {
  let max = 0;
  let flips = 0;
  for (let x = 0; x < a.length; x++) max = Math.max(max, Math.abs((a[x] as number) - (b[x] as number)));
  const argmax = (p: Float64Array, i: number) => {
    let best = 0;
    for (let k = 1; k < K; k++) if ((p[i * K + k] as number) > (p[i * K + best] as number)) best = k;
    return best;
  };
  for (let i = 0; i < a.length / K; i++) if (argmax(a, i) !== argmax(b, i)) flips++;
  return { max: +max.toFixed(4), flips };
}

const worlds = [
  { items: 240, models: 6, labels: 3, seed: 21, abstainRate: 0.1, texts: 'label' },
  { items: 400, models: 8, labels: 2, seed: 5, abstainRate: 0.2, texts: 'label' },
  { items: 300, models: 10, labels: 5, seed: 7, abstainRate: 0.05, texts: 'junk' },
  { items: 160, models: 4, labels: 3, seed: 9, abstainRate: 0.3, texts: 'label' },
  { items: 500, models: 7, labels: 4, seed: 13, abstainRate: 0.1, texts: 'junk' },
] as const;
const settings: (readonly StackingConfig[] | undefined)[] = [undefined, [{ C: 1, classWeighting: 'none' }], [{ C: 0.5, classWeighting: 'none' }], [{ C: 0.1, classWeighting: 'balanced' }]];

for (const w of worlds) {
  const { matrix, gold } = syntheticAnswers({ items: w.items, models: w.models, labels: w.labels, seed: w.seed, abstainRate: w.abstainRate });
  const texts = Array.from(gold, (g, i) => (w.texts === 'label' ? `item ${WORDS[i % 8]} ${WORDS[(g + i) % 8]}` : `item ${WORDS[(i * 7) % 8]} ${WORDS[(i * 3) % 8]}`));
  const world: AnswerMatrix = { ...matrix, texts };
  const held = stratifiedKFold(gold, 4, 1)[0] as number[];
  const train = trainIndices(w.items, held);
  const rows = selectItems(world, train);
  const g = selectGold(gold, train);
  const test = selectItems(world, held);
  for (const configs of settings) {
    const s = createStackingText(configs ? { configs } : {}) as WarmStartable;
    const previous = s.fit(selectModels(rows, Array.from({ length: w.models - 1 }, (_, j) => j)), g, { seed: 3 });
    const cold = s.fit(rows, g, { seed: 3 });
    const warm = s.fitFrom(rows, g, { seed: 3 }, previous);
    const config = (cold.state() as { config: StackingConfig }).config;
    const plain = createStacking({ configs: [config] }).fit(strip(rows), g, { seed: 3 });
    console.log(
      JSON.stringify({
        world: `${w.items} items, ${w.models} models, ${w.labels} labels, ${w.texts} texts`,
        setting: configs ? `C=${configs[0]?.C} ${configs[0]?.classWeighting}` : 'grid',
        chosen: `C=${config.C} ${config.classWeighting}`,
        fitFromVsFresh: gap(warm.predict(test).probs, cold.predict(test).probs, w.labels),
        fallbackVsStacking: gap(cold.predict(strip(test)).probs, plain.predict(strip(test)).probs, w.labels),
        heldOut: held.length,
      }),
    );
  }
}
