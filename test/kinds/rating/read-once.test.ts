import { describe, expect, it } from 'vitest';
import type { RatingMatrix, ScoreReader } from '../../../src/kinds/rating/rating-matrix.js';
import { readScore } from '../../../src/kinds/rating/read-score.js';
import { ratingFuser, ratingKind, type RatingFusedLine } from '../../../src/kinds/rating/rows.js';
import type { RawModelAnswer } from '../../../src/kinds/raw-answer.js';
import type { RatingTask } from '../../../src/task/schema.js';

/** The mean of each item's readable scores, as the matrix holds them. */
function meanOf(m: RatingMatrix) {
  const J = m.judges.length;
  const score = Float64Array.from(m.itemIds, (_, i) => {
    const row = Array.from(m.scores.subarray(i * J, (i + 1) * J)).filter(Number.isFinite);
    return row.length > 0 ? row.reduce((a, b) => a + b, 0) / row.length : Number.NaN;
  });
  return { score, low: score.slice(), high: score.slice() };
}

/**
 * Rating lines in `fusion run` and `fusion fuse` show each judge's score and fuse them: one reading
 * of each answer serves both (the matrix the strategy rates and the answer's own line), so a reader
 * is asked once per answer, and the two can never disagree.
 */
describe('rating fusion reads each answer once', () => {
  it('fuse() asks the score reader once per answered call, and the lines carry the readings the fused score came from', () => {
    const task: RatingTask = { name: 't', kind: 'rating', scale: { min: 1, max: 5 }, instructions: '' };
    const reads: string[] = [];
    const counting: ScoreReader = (output, scale) => {
      reads.push(output);
      return readScore(output, scale);
    };
    const models = ['a', 'b', 'c'];
    const ok = (model: string, output: string): RawModelAnswer => ({ model, status: 'ok', output, cached: false });
    const items = [
      { item: { id: '1', text: 'x' }, answers: [ok('a', '4'), ok('b', 'Score: 2'), { model: 'c', status: 'failed', error: 'boom' } as RawModelAnswer] },
      { item: { id: '2', text: 'y' }, answers: [ok('a', 'no idea'), ok('b', '5'), ok('c', '3')] },
    ];
    const lines = ratingKind(task, counting).fuse(items, models, ratingFuser('mean', 2, meanOf)) as RatingFusedLine[];
    expect(reads.sort()).toEqual(['3', '4', '5', 'Score: 2', 'no idea'].sort());
    expect(lines.map((l) => l.score)).toEqual([3, 4]);
    expect(lines[0]!.answers.map((a) => a.score)).toEqual([4, 2, null]);
    expect(lines[1]!.answers.map((a) => a.score)).toEqual([null, 5, 3]);
  });
});
