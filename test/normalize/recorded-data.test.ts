import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { createExactAliasNormalizer } from '../../src/normalize/exact-alias.js';
import type { NormalizedLabel } from '../../src/normalize/types.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { sharedData } from '../support/shared-data.js';

const DATA = sharedData() ?? '';
// The -all sets repeat these sets' answer shapes at 10x the size; the coverage bench reads them.
const SETS = ['emotion', 'fiqa-sentiment', 'flute', 'ibc', 'implicit-hate', 'policy-topic-en', 'raop', 'toxicity-en', 'wiki-politeness'];

const argmax = (n: NormalizedLabel): number => {
  if (n.kind !== 'label') return -1;
  let best = 0;
  for (let k = 1; k < n.dist.length; k++) if ((n.dist[k] as number) > (n.dist[best] as number)) best = k;
  return best;
};

describe.skipIf(DATA === '')('recorded answers in ../shared/data', () => {
  it.each(SETS.filter((s) => sharedData(s) !== null))('%s: reads at least what exact/alias parsing reads, never less accurately per model', (set) => {
    const folder = loadEvalFolder(`${DATA}${set}`);
    if (folder.kind !== 'classification') throw new Error('not a classification set');
    const full = createClassificationNormalizer(folder.task);
    const exact = createExactAliasNormalizer(folder.task);
    const itemIndex = new Map(folder.items.map((it, i) => [it.id, i]));
    const perModel = new Map<string, { full: number; exact: number }>();
    let fullParsed = 0;
    let exactParsed = 0;
    for (const r of folder.responses) {
      const gold = folder.gold[itemIndex.get(r.item) as number];
      const a = full({ output: r.output });
      const b = exact({ output: r.output });
      if (a.kind === 'label') fullParsed++;
      if (b.kind === 'label') {
        exactParsed++;
        // What the exact parser reads, the normalizer reads the same way.
        expect(argmax(a)).toBe(argmax(b));
      }
      const m = perModel.get(r.model) ?? { full: 0, exact: 0 };
      if (argmax(a) === gold) m.full++;
      if (argmax(b) === gold) m.exact++;
      perModel.set(r.model, m);
    }
    expect(fullParsed).toBeGreaterThanOrEqual(exactParsed);
    for (const [, m] of perModel) expect(m.full).toBeGreaterThanOrEqual(m.exact);
  });
});
