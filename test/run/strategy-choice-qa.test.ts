import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirsEach } from '../support/temp-dirs.js';
import { StrategyError } from '../../src/fuse/strategy.js';
import { fitQaStrategy } from '../../src/kinds/qa/fit.js';
import { fuseQaQuestion } from '../../src/qa/fuse-question.js';
import type { RawModelAnswer } from '../../src/run/ask-item.js';
import { fuseQaItems } from '../../src/kinds/qa/rows.js';
import { chooseStrategy, loadSavedFuser } from '../../src/run/strategy-choice.js';
import { InputError } from '../../src/task/errors.js';
import { syntheticMcFolder } from '../qa/synthetic.js';

const LETTERS = ['A', 'B', 'C', 'D'];
const choices = LETTERS.map((label) => ({ label, text: `option ${label}` }));
const qaTask = (answerType: 'multiple-choice' | 'numeric' | 'free-form') => ({ kind: 'qa' as const, name: 't', answerType, instructions: '' });
const mc = qaTask('multiple-choice');
const say = (model: string, letter: string): RawModelAnswer => ({ model, status: 'ok', output: `The answer is (${letter}).`, cached: false });

const tempDir = tempDirsEach();

describe('chooseStrategy on a QA task (the one strategy choice of fusion run)', () => {
  it('defaults to the vote for closed answers and the most central answer for free-form', () => {
    expect(chooseStrategy(undefined, mc)).toMatchObject({ name: 'majority-vote', batchSize: 1 });
    expect(chooseStrategy(undefined, qaTask('numeric'))).toMatchObject({ name: 'majority-vote', batchSize: 1 });
    expect(chooseStrategy(undefined, qaTask('free-form'))).toMatchObject({ name: 'central', batchSize: 1 });
    expect(chooseStrategy('majority-vote', qaTask('free-form')).name).toBe('majority-vote');
    expect(chooseStrategy('dawid-skene', mc, 40)).toMatchObject({ name: 'dawid-skene', batchSize: 40 });
  });

  it('refuses strategies that need judged answers, unknown names, and fixed-label ones on free-form answers', () => {
    for (const name of ['weighted-vote', 'stacking', 'best-model', 'auto']) {
      expect(() => chooseStrategy(name, mc)).toThrow(/fusion fit <folder> --strategy/);
    }
    expect(() => chooseStrategy('magic', mc)).toThrow(StrategyError);
    expect(() => chooseStrategy('magic', mc)).toThrow(/unknown strategy "magic"/);
    // The strategies a classification run accepts work on multiple choice, and the free-form default is central.
    expect(chooseStrategy('soft-vote', mc).name).toBe('soft-vote');
    expect(() => chooseStrategy('dawid-skene', qaTask('free-form'))).toThrow(/dawid-skene needs a fixed label set/);
    expect(chooseStrategy('dawid-skene-one-coin', qaTask('numeric'), 64)).toMatchObject({ batchSize: 64 });
  });

  it('Dawid-Skene over a batch trusts the models that agree with the others, where the vote ties', () => {
    // m-a and m-b are always right; m-c and m-d always wrong (differently), except that on the last
    // question they agree with each other on A, which wins the vote's tie there (label order).
    const items = Array.from({ length: 31 }, (_, i) => {
      const truth = i % 4;
      const last = i === 30;
      return {
        item: { id: `q${i}`, question: `Question ${i}?`, choices },
        answers: [
          say('m-c', last ? 'A' : (LETTERS[(truth + 1) % 4] as string)),
          say('m-d', last ? 'A' : (LETTERS[(truth + 2) % 4] as string)),
          say('m-a', last ? 'B' : (LETTERS[truth] as string)),
          say('m-b', last ? 'B' : (LETTERS[truth] as string)),
        ],
      };
    });
    const vote = fuseQaItems(mc, items, chooseStrategy('majority-vote', mc));
    const ds = fuseQaItems(mc, items, chooseStrategy('dawid-skene', mc, 64));
    expect(vote[30]?.answer).toBe('A');
    expect(ds[30]?.answer).toBe('B');
    expect(ds.slice(0, 30).map((l) => l.answer)).toEqual(vote.slice(0, 30).map((l) => l.answer));
    expect(ds[30]?.support).toBeGreaterThan(0.9);
  });
});

describe('a tie in one question fused alone', () => {
  it('goes to the first option letter (numeric: the first model\'s answer) without a fitted file; a saved vote breaks it by the agreement it recorded', () => {
    const one = (answers: RawModelAnswer[]) => fuseQaItems(mc, [{ item: { id: 'x', question: 'q?', choices }, answers }], chooseStrategy(undefined, mc))[0]?.answer;
    // No agreement to go by: the first label, whoever named it and in whatever order.
    expect(one([say('m2', 'C'), say('m0', 'A')])).toBe('A');
    expect(one([say('m0', 'A'), say('m2', 'C')])).toBe('A');
    expect(one([say('m0', 'D'), say('m1', 'D'), say('m2', 'B'), say('m3', 'B')])).toBe('B');
    const input = { question: 'q?', answerType: 'multiple-choice' as const, choices, outputs: [{ model: 'm3', output: 'The answer is (A).' }, { model: 'm0', output: 'The answer is (C).' }] };
    expect(fuseQaQuestion(input).answer).toBe('A');
    const num = qaTask('numeric');
    const numeric = (answers: RawModelAnswer[]) => fuseQaItems(num, [{ item: { id: 'n', question: 'How many?' }, answers }], chooseStrategy(undefined, num))[0]?.answer;
    const value = (model: string, n: number): RawModelAnswer => ({ model, status: 'ok', output: `The answer is ${n}.`, cached: false });
    expect(numeric([value('x', 4), value('y', 3)])).toBe('4');
    expect(numeric([value('y', 3), value('x', 4)])).toBe('3');

    // Fitted without labels on answers where m0 and m1 agree with the others most: m0's answer wins the tie.
    const { saved } = fitQaStrategy(syntheticMcFolder(60, [0.9, 0.9, 0.3, 0.3], 4), 'majority-vote', 1);
    const agreement = (saved.state as { agreement: Record<string, number> }).agreement;
    expect(agreement.m0).toBeGreaterThan(agreement.m3 as number);
    expect(fuseQaQuestion(input, saved).answer).toBe('C');
  });
});

describe('saved QA strategies', () => {
  it('loads what fitQaStrategy saves (as fusion fit writes it) and fuses like fuseQaQuestion; the models come from the file', () => {
    const t = tempDir();
    const folder = syntheticMcFolder(60, [0.95, 0.3, 0.3], 9, [1, 2]);
    const { saved } = fitQaStrategy(folder, 'weighted-vote', 1);
    const file = join(t.dir, 'qa-strategy.json');
    writeFileSync(file, `${JSON.stringify({ ...saved, createdAt: '2026-01-01T00:00:00Z' }, null, 2)}\n`);
    const fuser = loadSavedFuser(file, mc);
    expect(fuser).toMatchObject({ name: 'weighted-vote', batchSize: 1, models: ['m0', 'm1', 'm2'] });
    expect(chooseStrategy(file, mc).name).toBe('weighted-vote');

    const answers = [say('m2', 'B'), say('m1', 'B'), say('m0', 'A')];
    const [line] = fuseQaItems(mc, [{ item: { id: 'x', question: 'q?', choices }, answers }], fuser);
    const direct = fuseQaQuestion({ question: 'q?', answerType: 'multiple-choice', choices, outputs: answers.map((a) => ({ model: a.model, output: (a as { output: string }).output })) }, saved);
    expect(line?.answer).toBe('A');
    expect(line?.answer).toBe(direct.answer);
    expect(line?.support).toBeCloseTo(direct.support, 6);
    // Without the saved strategy, the two weak models outvote the strong one.
    expect(fuseQaItems(mc, [{ item: { id: 'x', question: 'q?', choices }, answers }], chooseStrategy(undefined, mc))[0]?.answer).toBe('B');

    for (const name of ['stacking', 'auto', 'dawid-skene', 'best-model', 'central', 'calibrated-stacking']) {
      const f = join(t.dir, `${name}.json`);
      writeFileSync(f, JSON.stringify(fitQaStrategy(folder, name, 1).saved));
      expect(fuseQaItems(mc, [{ item: { id: 'x', question: 'q?', choices }, answers }], loadSavedFuser(f, mc))[0]?.answer, name).toMatch(/^[AB]$/);
    }
  });

  it('bad files fail before any call, naming the file and the field', () => {
    const t = tempDir();
    const write = (name: string, body: string): string => {
      const f = join(t.dir, name);
      writeFileSync(f, body);
      return f;
    };
    const cases: [string, RegExp][] = [
      [write('a.json', '{"format": "llm-fusion/strategy", "version": 1, "strategy": "majority-vote", "task": "t", "labels": ["x", "y"], "models": [], "createdAt": "", "state": {}}'), /a\.json.*kind.*classification task/s],
      [write('b.json', '{"format": "llm-fusion/strategy", "version": 2, "kind": "qa", "answerType": "multiple-choice", "task": "t", "labels": ["A", "B"], "createdAt": "", "strategy": "weighted-vote", "models": ["m0"], "state": {"models": ["m0"]}}'), /b\.json.*state/s],
      [write('c.json', '{"format": "llm-fusion/strategy", "version": 2, "kind": "qa", "answerType": "multiple-choice", "task": "t", "labels": [], "createdAt": "", "strategy": "nope", "models": [], "state": {}}'), /c\.json.*strategy.*unknown strategy/s],
      [write('d.json', '{"strategy": '), /d\.json.*JSON/s],
      [write('e.json', '{"format": "llm-fusion/qa-strategy", "version": 1, "strategy": "central", "models": [], "state": {}}'), /e\.json.*llm-fusion 0\.1.*version 1.*fit it again/s],
    ];
    for (const [file, message] of cases) {
      let error: unknown;
      try {
        loadSavedFuser(file, mc);
      } catch (e) {
        error = e;
      }
      expect(error, file).toBeInstanceOf(InputError);
      const issues = (error as InputError).issues.map((i) => `${i.file} ${i.field ?? ''} ${i.message}`).join('\n');
      expect(issues, file).toMatch(message);
    }
  });
});
