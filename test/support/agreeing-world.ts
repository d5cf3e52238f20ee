import type { ClassificationFolder } from '../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../src/task/schema.js';

const LABELS = ['neg', 'neu', 'pos'];

/**
 * A labelled folder of n items where stopping after the first two models agree loses nothing: models
 * a and b always give the gold, c is wrong on every third item. On few items the default adaptive
 * bound cannot vouch for stopping on it; the plain bound (or a loose target) stops.
 */
export function agreeingFolder(n: number): ClassificationFolder {
  const gold = Int32Array.from({ length: n }, (_, i) => i % 3);
  const items = Array.from(gold, (g, i) => ({ id: `e${i}`, text: `item ${i}`, label: LABELS[g] as string }));
  const responses: RecordedResponse[] = items.flatMap((x, i) =>
    ['a', 'b', 'c'].map((model) => ({ item: x.id, model, output: LABELS[model === 'c' && i % 3 === 0 ? ((gold[i] as number) + 1) % 3 : (gold[i] as number)] as string })),
  );
  const task = { name: 'agreeing', kind: 'classification' as const, labels: LABELS.map((name) => ({ name, aliases: [] })), instructions: '' };
  return { kind: 'classification', dir: '/agreeing', task, items, gold, responses };
}
