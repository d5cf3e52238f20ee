import { describe, expect, it } from 'vitest';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { prepareQa } from '../../src/qa/prepare.js';
import { fitQaStrategy, loadQaStrategy } from '../../src/kinds/qa/fit.js';
import { fuseQaQuestion } from '../../src/qa/fuse-question.js';
import type { QaItemAnswers } from '../../src/qa/types.js';
import { STRATEGIES } from '../../src/fuse/registry.js';
import { InputError } from '../../src/task/errors.js';
import type { QaFolder } from '../../src/kinds/load-folder.js';
import { syntheticMcFolder } from './synthetic.js';

const choices = ['A', 'B', 'C', 'D'].map((label) => ({ label, text: `text ${label}` }));

describe('evaluation, saving and fusing one question', () => {
  it('evaluates a synthetic folder: fusion beats the best model when errors are independent', async () => {
    const folder = syntheticMcFolder(200, [0.7, 0.65, 0.65, 0.6, 0.6], 11);
    const r = await evaluateQaFolder(folder, { folds: 5, seed: 1 });
    expect(r.kind).toBe('qa');
    expect(r.items).toBe(200);
    expect(r.strategies.map((s) => s.name)).toContain('auto');
    const auto = r.strategies.find((s) => s.name === 'auto');
    expect(auto?.picks).toHaveLength(5);
    expect(auto?.accuracy).toBeGreaterThan(r.extras.bestSingle?.accuracy ?? 1);
    expect(r.extras.oracle).toBeGreaterThanOrEqual(auto?.accuracy ?? 1);
    // QA has no classes: its rows carry no macro-F1 at all (no placeholder kept for a shared shape).
    for (const m of [...r.models, ...r.strategies]) expect('macroF1' in m).toBe(false);
  });

  it('saves (format version 2, kind qa) and restores every strategy with identical predictions', () => {
    const folder = syntheticMcFolder(80, [0.8, 0.6, 0.5], 5, [1, 2]);
    const { matrix } = prepareQa(folder).candidates;
    // QA options have no order: every strategy but the order-aware ones.
    for (const s of STRATEGIES.filter((x) => x.needsOrderedLabels !== true)) {
      const { fitted, saved } = fitQaStrategy(folder, s.name, 1);
      expect(saved).toMatchObject({ version: 2, kind: 'qa', answerType: 'multiple-choice', labels: ['A', 'B', 'C', 'D'] });
      const restored = loadQaStrategy(JSON.parse(JSON.stringify(saved)));
      expect(Array.from(restored.predict(matrix).probs), s.name).toEqual(Array.from(fitted.predict(matrix).probs));
    }
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
    for (const name of ['stacking', 'best-model', 'dawid-skene', 'auto']) {
      expect(fuseQaQuestion(input, fitQaStrategy(folder, name, 1).saved).answer, name).toBeTypeOf('string');
    }
  });
});

describe('saved QA strategy files', () => {
  it('round-trip through JSON and reject malformed files with the file named', async () => {
    const { parseSavedQaStrategy } = await import('../../src/kinds/qa/fit.js');
    const { saved } = fitQaStrategy(syntheticMcFolder(30, [0.9, 0.5], 2), 'stacking', 1);
    expect(parseSavedQaStrategy(JSON.parse(JSON.stringify(saved)), 'x.json').strategy).toBe('stacking');
    expect(() => parseSavedQaStrategy({ ...saved, strategy: 'nope' }, 'x.json')).toThrow(/x\.json.*unknown strategy "nope"/s);
    expect(() => parseSavedQaStrategy({ models: 3 }, 'y.json')).toThrow(/y\.json/);
    // A file of the retired 0.1 QA format names its version and says what to do.
    expect(() => parseSavedQaStrategy({ format: 'llm-fusion/qa-strategy', version: 1, strategy: 'central', models: [], state: {} }, 'z.json')).toThrow(InputError);
    expect(() => parseSavedQaStrategy({ strategy: 'central', models: [], state: {} }, 'z.json')).toThrow(/z\.json.*llm-fusion 0\.1.*version 1.*fit it again/s);
  });
});

describe('fusing a batch of questions without labels', () => {
  it('uses the same default as fusion run, and learns who is reliable from the batch itself when asked (Dawid-Skene), overruling a wrong majority', async () => {
    const { fuseQaBatch } = await import('../../src/qa/fuse-question.js');
    const folder = syntheticMcFolder(200, [0.9, 0.85, 0.35, 0.35, 0.35], 21);
    const inputs = folder.items.map((it) => ({
      question: it.question,
      answerType: 'multiple-choice' as const,
      choices: it.choices ?? [],
      outputs: folder.responses.filter((r) => r.item === it.id).map((r) => ({ model: r.model, output: r.output })),
    }));
    const { defaultStrategyName } = await import('../../src/run/strategy-choice.js');
    expect(fuseQaBatch(inputs)[0]?.strategy).toBe(defaultStrategyName({ kind: 'qa', answerType: 'multiple-choice' }));
    expect(fuseQaBatch(inputs.map((q) => ({ ...q, answerType: 'free-form' as const })))[0]?.strategy).toBe(defaultStrategyName({ kind: 'qa', answerType: 'free-form' }));
    const fused = fuseQaBatch(inputs, 'dawid-skene-one-coin');
    expect(fused[0]?.strategy).toBe('dawid-skene-one-coin');
    expect(() => fuseQaBatch(inputs, 'stacking')).toThrow(/learns from labels/);
    const acc = (answers: (string | null | undefined)[]) => answers.filter((a, i) => a === folder.items[i]?.answers?.[0]).length / answers.length;
    const dsAcc = acc(fused.map((f) => f.answer));
    const voteAcc = acc(inputs.map((q) => fuseQaQuestion(q).answer));
    expect(dsAcc).toBeGreaterThan(voteAcc);
  });
});
