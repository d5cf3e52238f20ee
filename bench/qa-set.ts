/**
 * What the benches over one QA dev set and `auto`'s outer folds share: the set read and clustered as
 * `fusion eval` reads it, its outer folds (as `fusion eval` draws them), and `auto`'s candidates by
 * the names its state reports.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setArgs } from './set-args.js';
import { getStrategy } from '../src/fuse/registry.js';
import { configName, createStacking, STACKING_GRID } from '../src/fuse/stacking.js';
import { createStackingText, TEXT_STACKING_GRID } from '../src/fuse/stacking-text.js';
import type { FusionStrategy } from '../src/fuse/strategy.js';
import { prepareQa } from '../src/qa/prepare.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { makeFolds } from '../src/validation/out-of-fold.js';

/** The QA set named by --set (default `fallback`), its candidate matrix, and its outer folds under --folds and --seed. */
export function qaSetFolds(fallback: string) {
  const { values } = parseArgs({ options: { ...setArgs('set', fallback) } });
  const folder = loadEvalFolder(join(values.data as string, values.set as string));
  if (folder.kind !== 'qa') throw new Error(`${values.set}: QA sets only`);
  const p = prepareQa(folder);
  const gold = p.goldColumn;
  const seed = Number(values.seed);
  return { set: values.set as string, p, matrix: p.candidates.matrix, gold, right: p.rightColumns, seed, outer: makeFolds(gold.length, Number(values.folds), seed, { strata: gold }) };
}

/** A candidate of `auto` by the name its state reports (a stacking setting rebuilt as `auto` builds it). */
export function autoCandidate(name: string): FusionStrategy {
  const m = /^stacking\(candidates,C=([\d.]+)\)$/.exec(name);
  if (m) return createStacking({ configs: [{ C: Number(m[1]), classWeighting: 'none' }], name: 'stacking', candidateWise: true });
  const config = STACKING_GRID.find((c) => name === `stacking(${configName(c)})`);
  if (config) return createStacking({ configs: [config], name: 'stacking' });
  const text = TEXT_STACKING_GRID.find((c) => name === `stacking-text(${configName(c)})`);
  if (text) return createStackingText({ configs: [text] });
  return getStrategy(name);
}
