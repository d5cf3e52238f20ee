/**
 * Loads a rating dev set from ../shared/data: the items' id, text and gold label only (other item
 * fields may carry the gold, e.g. a z-score or a final score), the responses, and the scale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRatingMatrix, type RatingMatrix, type ScoreReader } from '../src/kinds/rating/rating-matrix.js';
import type { Scale } from '../src/kinds/rating/scale.js';

export interface RatingSet {
  name: string;
  matrix: RatingMatrix;
  gold: Float64Array;
  abstentions: number;
}

function jsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export function loadRatingSet(dir: string, read: ScoreReader): RatingSet {
  const task = JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as { name: string; kind: string; scale: Scale };
  if (task.kind !== 'rating') throw new Error(`${dir}: not a rating set (kind ${task.kind})`);
  const items = jsonl<{ id: string; text: string; label: number }>(join(dir, 'items.jsonl'));
  const responses = jsonl<{ item: string; model: string; output: string; sample?: number }>(join(dir, 'responses.jsonl'));
  const { matrix, abstentions } = buildRatingMatrix(
    { items: items.map((it) => ({ id: it.id, text: it.text })), responses: responses.map((r) => ({ item: r.item, model: r.model, output: r.output, ...(r.sample !== undefined ? { sample: r.sample } : {}) })), scale: task.scale },
    read,
  );
  return { name: task.name, matrix, gold: Float64Array.from(items, (it) => it.label), abstentions: abstentions.length };
}
