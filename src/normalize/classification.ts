import { labelIndex } from '../task/labels.js';
import type { ClassificationTask } from '../task/schema.js';
import type { ClassificationNormalizer, NormalizedLabel, RawAnswer } from './types.js';

function oneHot(K: number, k: number): Float64Array {
  const d = new Float64Array(K);
  d[k] = 1;
  return d;
}

/** Strips what surrounds a bare label: whitespace, quotes, Markdown emphasis, brackets, final punctuation. */
function bare(text: string): string {
  return text
    .trim()
    .replace(/^[\s"'`*_([{]+|[\s"'`*_)\]}.!:;,]+$/g, '')
    .trim()
    .toLowerCase();
}

/**
 * Builds the reader of raw answers for one task. This first version reads exact label names and
 * aliases (case, whitespace, quotes, Markdown and final punctuation aside); everything else is an
 * abstention with a reason, never a guess.
 */
export function createClassificationNormalizer(task: Pick<ClassificationTask, 'labels'>): ClassificationNormalizer {
  const { lookup } = labelIndex(task);
  const K = task.labels.length;
  const names = new Set(task.labels.map((l) => l.name.trim().toLowerCase()));
  return (answer: RawAnswer): NormalizedLabel => {
    if (answer.output.trim() === '') return { kind: 'abstain', reason: 'empty' };
    const key = bare(answer.output);
    const k = lookup.get(key);
    if (k !== undefined) return { kind: 'label', dist: oneHot(K, k), method: names.has(key) ? 'exact' : 'alias' };
    return { kind: 'abstain', reason: 'no-label' };
  };
}
