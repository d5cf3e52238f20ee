import { labelIndex } from '../task/labels.js';
import type { ClassificationTask } from '../task/schema.js';
import { oneHot } from './confidence.js';
import { bareKey } from './text.js';
import type { ClassificationNormalizer, NormalizedLabel, RawAnswer } from './types.js';

/**
 * The reference exact/alias parser: an answer is a label only when, quotes, brackets, Markdown and
 * final punctuation aside, it spells a name or alias exactly. Kept as the baseline the full
 * normalizer is measured against (bench/normalizer-coverage.ts): it must never read more wrongly.
 */
export function createExactAliasNormalizer(task: Pick<ClassificationTask, 'labels'>): ClassificationNormalizer {
  const { lookup } = labelIndex(task);
  const K = task.labels.length;
  const names = new Set(task.labels.map((l) => l.name.trim().toLowerCase()));
  return (answer: RawAnswer): NormalizedLabel => {
    if (answer.output.trim() === '') return { kind: 'abstain', reason: 'empty' };
    const key = bareKey(answer.output);
    const k = lookup.get(key);
    if (k !== undefined) return { kind: 'label', dist: oneHot(K, k), method: names.has(key) ? 'exact' : 'alias' };
    return { kind: 'abstain', reason: 'no-label' };
  };
}
