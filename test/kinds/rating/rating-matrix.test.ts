import { describe, expect, it } from 'vitest';
import { buildRatingMatrix, fieldValues, headerValues, sharedVocabulary, selectRatingItems, textGroups, type ScoreReader } from '../../../src/kinds/rating/rating-matrix.js';

/** A test reader: a bare number inside the scale, else an abstention. */
const read: ScoreReader = (output, scale) => {
  const x = Number(output);
  if (output.trim() === '' || Number.isNaN(x)) return { kind: 'abstain', reason: 'missing' };
  return x >= scale.min && x <= scale.max ? { kind: 'score', score: x, method: 'number' } : { kind: 'abstain', reason: 'missing', detail: 'outside' };
};

const criteria = ['Criterion: Relevance', 'Criterion: Coherence', 'Criterion: Empathy'];
const stories = ['Once upon a time.', 'A dark night.', 'The end came.', 'It rained.'];

describe('buildRatingMatrix', () => {
  it('averages readable samples, lists unreadable answers, keeps per-sample scores', () => {
    const items = [
      { id: 'a', text: 'x' },
      { id: 'b', text: 'y' },
    ];
    const responses = [
      { item: 'a', model: 'm1', output: '4', sample: 0 },
      { item: 'a', model: 'm1', output: '2', sample: 1 },
      { item: 'a', model: 'm2', output: 'nonsense', sample: 0 },
      { item: 'b', model: 'm2', output: '9', sample: 1 },
      { item: 'b', model: 'm1', output: '5', sample: 1 },
      { item: 'zzz', model: 'm3', output: '5' },
    ];
    const { matrix, abstentions } = buildRatingMatrix({ items, responses, scale: { min: 1, max: 5 } }, read);
    expect(matrix.judges).toEqual(['m1', 'm2']);
    expect(Array.from(matrix.scores)).toEqual([3, Number.NaN, 5, Number.NaN]);
    expect(abstentions.map((a) => [a.item, a.model, a.sample])).toEqual([
      ['a', 'm2', 0],
      ['b', 'm2', 1],
    ]);
    expect(matrix.sampleScores?.length).toBe(2);
    expect(Array.from(matrix.sampleScores?.[0] ?? [])).toEqual([4, Number.NaN, Number.NaN, Number.NaN]);
    expect(Array.from(matrix.sampleScores?.[1] ?? [])).toEqual([2, Number.NaN, 5, Number.NaN]);
  });

  it('finds a criterion header and groups one text rated on several criteria', () => {
    const items = stories.flatMap((s, k) => criteria.map((c, h) => ({ id: `${k}-${h}`, text: `${c}\n\nStory: ${s}` })));
    const { matrix } = buildRatingMatrix({ items, responses: [], scale: { min: 1, max: 5 } }, read);
    expect(matrix.features).toEqual([{ name: 'header', values: items.map((it) => it.text.split('\n')[0]) }]);
    expect(matrix.groups).toEqual(items.map((_, i) => `g${Math.floor(i / 3) * 3}`));
  });

  it('takes no header where first lines are content (mostly unique) or all the same', () => {
    const unique = Array.from({ length: 16 }, (_, i) => `Source: sentence ${i}\nTranslation: t${i}`);
    expect(headerValues(unique)).toBeNull();
    expect(headerValues(Array.from({ length: 16 }, (_, i) => `Rate this\nText ${i}`))).toBeNull();
    // Single-line texts have no header line.
    expect(headerValues(['a', 'a', 'b', 'b'])).toBeNull();
    expect(textGroups(unique, null)).toBeNull();
  });

  it('finds the field labels of structured texts (a language pair) when they form a shared vocabulary', () => {
    const pairs = [
      ['English', 'German'],
      ['English', 'Chinese'],
      ['Hindi', 'Bengali'],
    ];
    const texts = Array.from({ length: 30 }, (_, i) => {
      const [a, b] = pairs[i % 3] as string[];
      return `Source (${a}): sentence ${i}: with a colon\nTranslation (${b}): t${i}`;
    });
    expect(fieldValues(texts)).toEqual(texts.map((_, i) => `Source (${pairs[i % 3]?.[0]}) | Translation (${pairs[i % 3]?.[1]})`));
    // The same labels everywhere tell nothing; a label on a few items only (one story's copies) is content.
    expect(fieldValues(Array.from({ length: 30 }, (_, i) => `Source: s${i}\nTranslation: t${i}`))).toBeNull();
    const rare = Array.from({ length: 100 }, (_, i) => (i < 6 ? `Note: x\nStory: ${i}` : `Criterion: c${i % 2}\nStory: ${i}`));
    expect(sharedVocabulary(rare.map((t) => t.split('\n')[0] ?? null))).toEqual(rare.map((t, i) => (i < 6 ? null : (t.split('\n')[0] as string))));
  });

  it('never reads item fields other than id and text', () => {
    const items = [
      { id: 'a', text: 'x', label: 3, z_score: 1.2 },
      { id: 'b', text: 'x', label: 4, z_score: 0.1 },
    ];
    const { matrix } = buildRatingMatrix({ items, responses: [], scale: { min: 1, max: 5 } }, read);
    expect(matrix.features).toEqual([]);
    expect(matrix.groups).toEqual(['g0', 'g0']);
  });

  it('selectRatingItems cuts every per-item field alike', () => {
    const items = stories.flatMap((s, k) => criteria.map((c, h) => ({ id: `${k}-${h}`, text: `${c}\n${s}` })));
    const responses = items.flatMap((it, i) => [
      { item: it.id, model: 'm1', output: String(1 + (i % 5)), sample: 0 },
      { item: it.id, model: 'm2', output: String(1 + ((i + 2) % 5)), sample: 1 },
    ]);
    const { matrix } = buildRatingMatrix({ items, responses, scale: { min: 1, max: 5 } }, read);
    const sub = selectRatingItems(matrix, [4, 0]);
    expect(sub.itemIds).toEqual(['1-1', '0-0']);
    expect(Array.from(sub.scores)).toEqual([matrix.scores[8], matrix.scores[9], matrix.scores[0], matrix.scores[1]]);
    expect(sub.features[0]?.values).toEqual([criteria[1], criteria[0]]);
    expect(sub.groups).toEqual([matrix.groups?.[4], matrix.groups?.[0]]);
    expect(Array.from(sub.sampleScores?.[1] ?? [])).toEqual([Number.NaN, matrix.sampleScores?.[1]?.[9], Number.NaN, matrix.sampleScores?.[1]?.[1]]);
  });
});
