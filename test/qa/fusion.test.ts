import { describe, expect, it } from 'vitest';
import { kFold } from '../../src/eval/cross-validation.js';
import { buildItemAnswers } from '../../src/qa/build-items.js';
import { crossValidatePicks, evaluateQaFolder, prepareQa, type PreparedQa } from '../../src/qa/evaluate-qa.js';
import { fitQaStrategy, loadQaStrategy } from '../../src/qa/fit-qa.js';
import { fuseQaQuestion } from '../../src/qa/fuse-question.js';
import { bestSingle } from '../../src/qa/fusion/best-single.js';
import { central } from '../../src/qa/fusion/central.js';
import { estimateAccuracies } from '../../src/qa/fusion/dawid-skene.js';
import { majorityVote } from '../../src/qa/fusion/majority-vote.js';
import { QA_STRATEGIES } from '../../src/qa/fusion/registry.js';
import { stacking } from '../../src/qa/fusion/stacking.js';
import { weightedVote } from '../../src/qa/fusion/weighted-vote.js';
import { type AnswerCorrectness, type QaItemAnswers, QaStateError } from '../../src/qa/types.js';
import type { QaFolder } from '../../src/task/load-folder.js';
import { syntheticMcFolder } from './synthetic.js';

const choices = ['A', 'B', 'C', 'D'].map((label) => ({ label, text: `text ${label}` }));
const mc = { answerType: 'multiple-choice' as const, choices };

function mcItem(letters: (string | string[])[], M = letters.length): QaItemAnswers {
  const outputs = letters.flatMap((l, model) =>
    (Array.isArray(l) ? l : [l]).map((x, sample) => ({ model, sample, output: `The answer is (${x}).` })),
  );
  return buildItemAnswers('q', 'which?', mc, outputs, M).item;
}

function letterOf(item: QaItemAnswers, pick: { representative: number } | null): string | undefined {
  return pick ? item.answers[pick.representative]?.reading.choice : undefined;
}

const models = ['good', 'bad1', 'bad2'];

/** Training items where model 0 is always right and models 1 and 2 always agree on a wrong answer. */
function oneGoodModel(n: number): { train: QaItemAnswers[]; correct: AnswerCorrectness[] } {
  const train: QaItemAnswers[] = [];
  const correct: AnswerCorrectness[] = [];
  for (let i = 0; i < n; i++) {
    const item = mcItem(i % 2 === 0 ? ['A', 'B', 'B'] : ['C', 'D', 'D']);
    train.push(item);
    correct.push(item.answers.map((a) => a.model === 0));
  }
  return { train, correct };
}

describe('fusion strategies on hand-worked cases', () => {
  it('majority vote: plurality, ties to the cluster seen first, samples are one voice', () => {
    const fit = majorityVote.fit([], [], { seed: 1, models });
    const item = mcItem(['A', 'A', 'B']);
    const p = fit.pick(item);
    expect(letterOf(item, p)).toBe('A');
    expect(p?.support).toBeCloseTo(2 / 3);
    const tie = mcItem(['B', 'A']);
    expect(letterOf(tie, fit.pick(tie))).toBe('B');
    const sampled = mcItem([['B', 'B', 'B'], 'A', 'A']);
    expect(letterOf(sampled, fit.pick(sampled))).toBe('A');
    expect(fit.pick(mcItem([]))).toBeNull();
  });

  it('weighted vote, stacking and best-single follow the model that was right on training items', () => {
    const { train, correct } = oneGoodModel(20);
    const test = mcItem(['A', 'B', 'B']);
    expect(letterOf(test, majorityVote.fit(train, correct, { seed: 1, models }).pick(test))).toBe('B');
    for (const s of [weightedVote, stacking, bestSingle]) {
      const fitted = s.fit(train, correct, { seed: 1, models });
      expect(letterOf(test, fitted.pick(test)), s.name).toBe('A');
    }
    const state = weightedVote.fit(train, correct, { seed: 1, models }).state() as { values: number[] };
    // Laplace-smoothed: (20 + 1) / (20 + 2) and (0 + 1) / (20 + 2).
    expect(state.values[0]).toBeCloseTo(21 / 22);
    expect(state.values[1]).toBeCloseTo(1 / 22);
  });

  it('best-single states the cluster in its own model\'s words and falls back to the vote when that model is silent', () => {
    const { train, correct } = oneGoodModel(10);
    const fitted = bestSingle.fit(train, correct, { seed: 1, models });
    const item = mcItem(['C', 'C', 'B']);
    expect(item.answers[fitted.pick(item)?.representative ?? -1]?.model).toBe(0);
    const silent = buildItemAnswers('q', 'which?', mc, [{ model: 0, output: 'no idea' }, { model: 1, output: '(B)' }, { model: 2, output: '(B)' }], 3).item;
    expect(letterOf(silent, fitted.pick(silent))).toBe('B');
  });

  it('Dawid-Skene finds the reliable model without labels', () => {
    const p = prepareQa(syntheticMcFolder(300, [0.9, 0.45, 0.45, 0.45], 7));
    const acc = estimateAccuracies(p.built.map((b) => b.item), 4).accuracy;
    expect(acc[0]).toBeGreaterThan(0.8);
    for (const k of [1, 2, 3]) expect(acc[k]).toBeLessThan(0.6);
  });

  it('central picks the free-form answer the others support most', () => {
    const { item } = buildItemAnswers(
      'q',
      'who wrote hamlet',
      { answerType: 'free-form' },
      [
        { model: 0, output: 'Christopher Marlowe' },
        { model: 1, output: 'Hamlet was written by William Shakespeare around 1600.' },
        { model: 2, output: 'William Shakespeare' },
        { model: 3, output: 'Shakespeare wrote it.' },
      ],
      4,
    );
    const p = central.fit([], [], { seed: 1, models: ['a', 'b', 'c', 'd'] }).pick(item);
    expect(p).not.toBeNull();
    expect(item.answers[p?.representative ?? -1]?.reading.text).toMatch(/Shakespeare/);
    expect(item.clusters[p?.cluster ?? -1]?.members.length).toBeGreaterThanOrEqual(2);
  });
});

function flipCorrectness(p: PreparedQa, rows: readonly number[]): PreparedQa {
  const correct = p.correct.map((c, i) => (rows.includes(i) ? c.map((x) => (x === null ? null : !x)) : c));
  const gold = p.gold.map((g, i) => (rows.includes(i) ? ['Z'] : g));
  return { ...p, correct, gold };
}

describe('no strategy reads test-fold gold', () => {
  it('poisoning the test fold\'s correctness leaves its predictions unchanged, for every strategy', () => {
    const p = prepareQa(syntheticMcFolder(120, [0.85, 0.6, 0.6, 0.5, 0.3], 3, [1, 2]));
    const folds = kFold(p.built.length, 4, 1);
    for (const s of QA_STRATEGIES) {
      const clean = crossValidatePicks(s, p, folds, 1).picks;
      for (const test of folds) {
        const poisoned = crossValidatePicks(s, flipCorrectness(p, test), [test], 1).picks;
        for (const i of test) expect(poisoned[i], `${s.name} item ${i}`).toEqual(clean[i]);
      }
    }
  });

  it('poisoning the training folds does change supervised predictions (the test above can fail)', () => {
    const p = prepareQa(syntheticMcFolder(120, [0.85, 0.6, 0.6, 0.5, 0.3], 3, [1, 2]));
    const folds = kFold(p.built.length, 4, 1);
    const test = folds[0] as number[];
    const train = p.built.map((_, i) => i).filter((i) => !test.includes(i));
    const clean = crossValidatePicks(bestSingle, p, [test], 1).picks;
    const poisoned = crossValidatePicks(bestSingle, flipCorrectness(p, train), [test], 1).picks;
    expect(test.some((i) => JSON.stringify(poisoned[i]) !== JSON.stringify(clean[i]))).toBe(true);
  });
});

describe('evaluation, saving and fusing one question', () => {
  it('evaluates a synthetic folder: fusion beats the best model when errors are independent', async () => {
    const folder = syntheticMcFolder(200, [0.7, 0.65, 0.65, 0.6, 0.6], 11);
    const r = await evaluateQaFolder(folder, { folds: 5, seed: 1 });
    expect(r.kind).toBe('qa');
    expect(r.items).toBe(200);
    expect(r.strategies.map((s) => s.name)).toContain('auto');
    const auto = r.strategies.find((s) => s.name === 'auto');
    expect(auto?.picks).toHaveLength(5);
    expect(auto?.accuracy).toBeGreaterThan(r.bestSingle?.accuracy ?? 1);
    expect(r.oracle).toBeGreaterThanOrEqual(auto?.accuracy ?? 1);
    for (const m of r.models) expect(m.macroF1).toBeNull();
  });

  it('saves and restores every strategy with identical picks', () => {
    const folder = syntheticMcFolder(80, [0.8, 0.6, 0.5], 5, [1, 2]);
    const p = prepareQa(folder);
    for (const s of QA_STRATEGIES) {
      const { fitted, saved } = fitQaStrategy(folder, s.name, 1);
      const restored = loadQaStrategy(JSON.parse(JSON.stringify(saved)));
      for (const b of p.built.slice(0, 20)) expect(restored.pick(b.item), s.name).toEqual(fitted.pick(b.item));
    }
    expect(() => weightedVote.load({ models: ['a'] }, ['a'])).toThrow(QaStateError);
    expect(() => stacking.load({ nope: 1 }, ['a'])).toThrow(QaStateError);
  });

  it('fuseQaQuestion returns the answer, its cluster, its support and each model\'s answer', () => {
    const r = fuseQaQuestion({
      question: 'Which is a city?',
      answerType: 'multiple-choice',
      choices: [
        { label: 'A', text: 'river' },
        { label: 'B', text: 'mountain' },
        { label: 'C', text: 'city' },
      ],
      outputs: [
        { model: 'x', output: '\\boxed{(C) \\text{city}}' },
        { model: 'y', output: 'The answer is city.' },
        { model: 'z', output: 'The answer is (A).' },
        { model: 'w', output: 'The answer is (A) or (C).' },
      ],
    });
    expect(r.strategy).toBe('majority-vote');
    expect(r.answer).toBe('C');
    expect(r.choice?.text).toBe('city');
    expect(r.support).toBeCloseTo(2 / 3);
    expect(r.clusters[r.cluster ?? -1]?.members.map((m) => m.model)).toEqual(['x', 'y']);
    expect(r.models.find((m) => m.model === 'w')).toMatchObject({ answer: null, abstention: 'ambiguous', cluster: null });
    expect(r.models.find((m) => m.model === 'z')?.answer).toBe('A');
  });
});

describe('several samples per model (self-consistency)', () => {
  it('a model\'s samples form its distribution: its modal answer is its answer, and it votes once', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, question: `Q${i}?`, answers: ['7'] }));
    const responses = items.flatMap((it) => [
      // m0 samples five times and is right three times out of five.
      ...['7', '7', '8', '7', '9'].map((x, sample) => ({ item: it.id, model: 'm0', sample, output: `\\boxed{${x}}` })),
      { item: it.id, model: 'm1', output: 'The answer is 8.' },
      { item: it.id, model: 'm2', output: 'The answer is 7.' },
    ]);
    const folder: QaFolder = { kind: 'qa', dir: '/s', task: { name: 'sc', kind: 'qa', answerType: 'numeric', instructions: '' }, items, responses };
    const r = await evaluateQaFolder(folder, { folds: 3, seed: 1 });
    expect(r.models.find((m) => m.name === 'm0')?.accuracy).toBe(1);
    expect(r.models.find((m) => m.name === 'm1')?.accuracy).toBe(0);
    expect(r.strategies.find((s) => s.name === 'majority-vote')?.accuracy).toBe(1);
    const p = prepareQa(folder);
    // one voice per model: m0's share of "7" is 3/5, not 3 votes.
    const item = p.built[0]?.item as QaItemAnswers;
    const seven = item.clusterOf[0] as number;
    expect(item.share[0 * item.clusters.length + seven]).toBeCloseTo(0.6);
  });
});

describe('fusing one question with a saved strategy', () => {
  it('restores the strategy onto the question\'s models by name, whatever their order', () => {
    const folder = syntheticMcFolder(60, [0.95, 0.3, 0.3], 9, [1, 2]);
    const { saved } = fitQaStrategy(folder, 'weighted-vote', 1);
    const input = {
      question: 'q?',
      answerType: 'multiple-choice' as const,
      choices,
      outputs: [
        { model: 'm2', output: 'The answer is (B).' },
        { model: 'new-model', output: 'The answer is (B).' },
        { model: 'm1', output: 'The answer is (B).' },
        { model: 'm0', output: 'The answer is (A).' },
      ],
    };
    expect(fuseQaQuestion(input).answer).toBe('B');
    const r = fuseQaQuestion(input, saved);
    expect(r.strategy).toBe('weighted-vote');
    expect(r.answer).toBe('A');
    expect(r.clusters[r.cluster ?? -1]?.members).toEqual([{ model: 'm0', sample: 0 }]);
    for (const name of ['stacking', 'best-single', 'dawid-skene', 'auto']) {
      expect(fuseQaQuestion(input, fitQaStrategy(folder, name, 1).saved).answer, name).toBeTypeOf('string');
    }
  });
});

describe('saved QA strategy files', () => {
  it('round-trip through JSON and reject malformed files with the file named', async () => {
    const { parseSavedQaStrategy } = await import('../../src/qa/fit-qa.js');
    const { saved } = fitQaStrategy(syntheticMcFolder(30, [0.9, 0.5], 2), 'stacking', 1);
    expect(parseSavedQaStrategy(JSON.parse(JSON.stringify(saved)), 'x.json').strategy).toBe('stacking');
    expect(() => parseSavedQaStrategy({ strategy: 'nope', models: [], state: {} }, 'x.json')).toThrow(/x\.json.*unknown QA strategy/s);
    expect(() => parseSavedQaStrategy({ models: 3 }, 'y.json')).toThrow(/y\.json/);
  });
});

describe('effective answer space of the weighted vote', () => {
  it('is small when wrong answers coincide and large when they scatter', async () => {
    const { effectiveAnswerSpace } = await import('../../src/qa/fusion/error-spread.js');
    const coincide = oneGoodModel(30); // the two bad models always share their wrong answer
    expect(effectiveAnswerSpace(coincide.train, coincide.correct, 0)).toBeLessThan(2.1);
    const scatter: QaItemAnswers[] = [];
    const correct: AnswerCorrectness[] = [];
    for (let i = 0; i < 30; i++) {
      const item = mcItem(['A', 'B', 'C', 'D']);
      scatter.push(item);
      correct.push(item.answers.map((a) => a.model === 0));
    }
    expect(effectiveAnswerSpace(scatter, correct, 0)).toBeGreaterThan(20);
    expect(effectiveAnswerSpace(scatter, correct, 4)).toBe(4);
  });
});

describe('fusing a batch of questions without labels', () => {
  it('learns who is reliable from the batch itself (Dawid-Skene) and overrules a wrong majority', async () => {
    const { fuseQaBatch } = await import('../../src/qa/fuse-question.js');
    const folder = syntheticMcFolder(200, [0.9, 0.85, 0.35, 0.35, 0.35], 21);
    const inputs = folder.items.map((it) => ({
      question: it.question,
      answerType: 'multiple-choice' as const,
      choices: it.choices ?? [],
      outputs: folder.responses.filter((r) => r.item === it.id).map((r) => ({ model: r.model, output: r.output })),
    }));
    const fused = fuseQaBatch(inputs);
    expect(fused[0]?.strategy).toBe('dawid-skene');
    const acc = (answers: (string | null | undefined)[]) => answers.filter((a, i) => a === folder.items[i]?.answers?.[0]).length / answers.length;
    const dsAcc = acc(fused.map((f) => f.answer));
    const voteAcc = acc(inputs.map((q) => fuseQaQuestion(q).answer));
    expect(dsAcc).toBeGreaterThan(voteAcc);
    expect(fuseQaBatch(inputs.slice(0, 5))[0]?.strategy).toBe('majority-vote');
  });
});
