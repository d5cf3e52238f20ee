import { describe, expect, it } from 'vitest';
import { candidateCount, hardVote, hasSharedLabels, sampleIndices, selectItems, selectModels } from '../../src/fuse/answer-matrix.js';
import { buildItemAnswers } from '../../src/qa/build-items.js';
import { buildCandidateMatrix, candidateGold } from '../../src/qa/candidate-matrix.js';

const models = ['m0', 'm1', 'm2'];
const choices = ['A', 'B', 'C', 'D'].map((label) => ({ label, text: `option ${label}` }));

function mcItem(id: string, letters: string[]) {
  return buildItemAnswers(id, 'which?', { answerType: 'multiple-choice', choices }, letters.map((l, model) => ({ model, output: `The answer is (${l})` })), models.length).item;
}
function freeItem(id: string, outputs: string[]) {
  return buildItemAnswers(id, 'who wrote hamlet?', { answerType: 'free-form' }, outputs.map((output, model) => ({ model, output })), models.length).item;
}

describe('answer matrix over QA candidates', () => {
  it('multiple choice shares the option letters as labels', () => {
    const items = [mcItem('q1', ['B', 'B', 'C']), mcItem('q2', ['A', 'D', 'D'])];
    const { matrix } = buildCandidateMatrix(items, models, 'multiple-choice', { choiceLabels: items.map(() => ['A', 'B', 'C', 'D']) });
    expect(hasSharedLabels(matrix)).toBe(true);
    expect(matrix.labels).toEqual(['A', 'B', 'C', 'D']);
    expect(candidateCount(matrix, 0)).toBe(4);
    expect(hardVote(matrix, 0, 2)).toBe(2);
    expect(hardVote(matrix, 1, 0)).toBe(0);
    const gold = candidateGold(buildCandidateMatrix(items, models, 'multiple-choice'), items, [[], []], ['C', 'A']);
    // 'C' is column 2 when the letters come from the answers only (A, B, C, D all seen).
    expect(Array.from(gold)).toEqual([2, 0]);
  });

  it('free-form items get their own clusters as candidates; gold is the right cluster', () => {
    const items = [freeItem('q1', ['Shakespeare', 'William Shakespeare', 'Marlowe']), freeItem('q2', ['Paris', 'Paris', 'Paris'])];
    const built = buildCandidateMatrix(items, models, 'free-form');
    const { matrix } = built;
    expect(hasSharedLabels(matrix)).toBe(false);
    expect(matrix.labels).toHaveLength(2);
    expect(candidateCount(matrix, 0)).toBe(2);
    expect(candidateCount(matrix, 1)).toBe(1);
    expect(matrix.candidates?.[0]).toContain('Marlowe');
    expect(hardVote(matrix, 0, 2)).toBe(1);
    // Item 2 has one cluster: its second column is 0 for every model.
    expect(matrix.probs[(1 * 3 + 0) * 2 + 1]).toBe(0);
    const correct = [items[0]!.answers.map((a) => a.reading.text.includes('Shakespeare')), [null, null, null]];
    expect(Array.from(candidateGold(built, items, correct))).toEqual([0, -1]);
  });

  it('selectItems and selectModels keep candidates and centrality aligned', () => {
    const items = [freeItem('q1', ['Shakespeare', 'Shakespeare', 'Marlowe']), freeItem('q2', ['Paris', 'Lyon', 'Nice'])];
    const { matrix } = buildCandidateMatrix(items, models, 'free-form');
    const sub = selectItems(matrix, [1]);
    expect(sub.candidates).toEqual([matrix.candidates?.[1]]);
    expect(Array.from(sub.centrality ?? [])).toEqual(Array.from(matrix.centrality?.subarray(3, 6) ?? []));
    expect(candidateCount(sub, 0)).toBe(3);
    expect(selectModels(matrix, [2, 0]).candidates).toBe(matrix.candidates);
  });

  it('sampleIndices lists each model\'s sample indices once, ascending; a model without a call gets none', () => {
    const calls: [number, number][] = [[1, 2], [0, 0], [1, 0], [1, 2], [1, 1]];
    expect(sampleIndices(3, calls)).toEqual([[0], [0, 1, 2], []]);
  });
});
