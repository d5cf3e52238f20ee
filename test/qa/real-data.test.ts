import { describe, expect, it } from 'vitest';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { evaluateQaFolder } from '../../src/eval/evaluate.js';
import { prepareQa } from '../../src/qa/prepare.js';
import { loadEvalFolder, type QaFolder } from '../../src/task/load-folder.js';
import { SHARED_DATA as DATA, sharedData } from '../support/shared-data.js';

const has = (set: string): boolean => sharedData(set) !== null;

function qa(set: string): QaFolder {
  const f = loadEvalFolder(`${DATA}${set}`);
  if (f.kind !== 'qa') throw new Error(`${set} is not a QA set`);
  return f;
}

/** Hindsight accuracy of one model with our extractor, to compare with the reference figures. */
function modelAccuracy(folder: QaFolder, model: string): number {
  const p = prepareQa(folder);
  const m = p.models.indexOf(model);
  let hit = 0;
  p.built.forEach((b, i) => {
    const a = b.item.answers.findIndex((x) => x.model === m);
    if (a >= 0 && p.correct[i]?.[a] === true) hit++;
  });
  return hit / p.built.length;
}

describe.skipIf(!has('mmlu-pro-dev'))('mmlu-pro-dev (real outputs)', () => {
  it('reproduces the reference best single model (0.777) and reads base models\' first answer only', () => {
    const f = qa('mmlu-pro-dev');
    expect(modelAccuracy(f, 'gemini-1.5-pro-002')).toBeCloseTo(0.7775, 3);
    // Base models invent follow-up questions: the answer read must come before the first one.
    const base = f.responses.filter((r) => r.model === 'Meta-Llama-3-70B' && /\n\s*Question:/.test(r.output)).slice(0, 50);
    expect(base.length).toBeGreaterThan(10);
    const items = new Map(f.items.map((i) => [i.id, i]));
    for (const r of base) {
      const got = extractQaAnswer(r.output, { answerType: 'multiple-choice', choices: items.get(r.item)?.choices ?? [] });
      const first = /answer is \(([A-J])\)/.exec(r.output.split(/\n\s*Question:/)[0] ?? '')?.[1];
      if (first) expect(got.kind === 'answer' ? got.choice : null).toBe(first);
    }
  });

  it('auto beats the hindsight best single model and the plain vote out-of-fold', async () => {
    const r = await evaluateQaFolder(qa('mmlu-pro-dev'), { folds: 5, seed: 1 });
    const get = (n: string) => r.strategies.find((s) => s.name === n)?.accuracy ?? 0;
    expect(get('auto')).toBeGreaterThan(0.778);
    expect(get('auto')).toBeGreaterThan(get('majority-vote'));
  }, 60_000);
});

describe.skipIf(!has('gsm8k-re2'))('gsm8k-re2 (real outputs, 10 MB)', () => {
  it('reproduces the reference best single (0.942), and auto beats it', async () => {
    const f = qa('gsm8k-re2');
    expect(modelAccuracy(f, 'gpt-4o-mini-reread-cot')).toBeCloseTo(0.9416, 3);
    const r = await evaluateQaFolder(f, { folds: 5, seed: 1 });
    const auto = r.strategies.find((s) => s.name === 'auto')?.accuracy ?? 0;
    expect(auto).toBeGreaterThan(0.942);
    expect(auto).toBeGreaterThan(r.strategies.find((s) => s.name === 'majority-vote')?.accuracy ?? 1);
  }, 60_000);
});

describe.skipIf(!has('evouna-nq'))('evouna-nq (real outputs, human judgements)', () => {
  it('auto beats new-bing (0.799) and the central pick, scored by the judgement of the representative answer', async () => {
    const r = await evaluateQaFolder(qa('evouna-nq'), { folds: 5, seed: 1 });
    expect(r.scoredBy).toBe('human');
    const get = (n: string) => r.strategies.find((s) => s.name === n)?.accuracy ?? 0;
    expect(get('auto')).toBeGreaterThan(0.799);
    expect(get('auto')).toBeGreaterThan(get('majority-vote'));
    expect(get('auto')).toBeGreaterThan(get('central'));
  }, 60_000);
});
