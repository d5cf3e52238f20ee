import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { InputError, formatIssue } from '../../src/task/errors.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { sentimentTask, writeEvalFolder } from '../support/temp-folder.js';

const items = [
  { id: 'a', text: 'great', label: 'positive' },
  { id: 'b', text: 'awful', label: 'A' },
];
const responses = [
  { item: 'a', model: 'm1', output: 'C' },
  { item: 'b', model: 'm1', output: 'A' },
];

function loadError(dir: string): InputError {
  try {
    loadEvalFolder(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('loadEvalFolder', () => {
  it('loads a valid folder, mapping gold labels given by name or alias to indices', () => {
    const f = loadEvalFolder(writeEvalFolder({ task: sentimentTask, items, responses }));
    expect(f.kind).toBe('classification');
    if (f.kind !== 'classification') return;
    expect(Array.from(f.gold)).toEqual([2, 0]);
    expect(f.responses).toHaveLength(2);
  });

  it('reports invalid JSON with file and line', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items: `${JSON.stringify(items[0])}\n{"id": "b", text}\n`, responses });
    const e = loadError(dir);
    expect(e.message).toMatch(/items\.jsonl:2: invalid JSON/);
  });

  it('reports a missing field with file, line and field', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items: [items[0], { id: 'b', label: 'neutral' }], responses: [responses[0]] });
    const e = loadError(dir);
    expect(e.issues[0]).toMatchObject({ line: 2, field: 'text' });
    expect(e.message).toMatch(/items\.jsonl:2: text:/);
  });

  it('rejects an unknown gold label, naming the line and the known labels', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items: [items[0], { id: 'b', text: 'x', label: 'angry' }], responses });
    expect(loadError(dir).message).toMatch(/items\.jsonl:2: label: unknown gold label "angry" \(labels: negative, neutral, positive\)/);
  });

  it('rejects duplicate item ids', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items: [items[0], items[0]], responses: [responses[0]] });
    expect(loadError(dir).message).toMatch(/items\.jsonl:2: id: duplicate item id "a" \(first on line 1\)/);
  });

  it('reports a refused item line once, not again as an unknown item for each of its responses', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items: [items[0], { id: 'b', label: 'neutral' }], responses });
    const e = loadError(dir);
    expect(e.message).toMatch(/items\.jsonl:2: text:/);
    expect(e.message).not.toMatch(/unknown item/);
    expect(e.issues).toHaveLength(1);
  });

  it('rejects a response for an unknown item', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items, responses: [...responses, { item: 'zzz', model: 'm1', output: 'A' }] });
    expect(loadError(dir).message).toMatch(/responses\.jsonl:3: item: response for unknown item "zzz"/);
  });

  it('rejects a duplicate response of the same model for the same item', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items, responses: [...responses, { item: 'a', model: 'm1', output: 'B' }] });
    expect(loadError(dir).message).toMatch(/responses\.jsonl:3: duplicate response of model "m1" for item "a" \(first on line 1\)/);
  });

  it('accepts several samples of one model when they are numbered', () => {
    const dir = writeEvalFolder({
      task: sentimentTask,
      items,
      responses: [
        { item: 'a', model: 'm1', output: 'C', sample: 0 },
        { item: 'a', model: 'm1', output: 'B', sample: 1 },
      ],
    });
    expect(loadEvalFolder(dir).responses).toHaveLength(2);
  });

  it("lists a file's issues in line order, whichever check found each (the line's shape, its gold label, a duplicate id)", () => {
    const bad = [items[0], { id: 'b', text: 'x', label: 'angry' }, { id: 'a', text: 'again', label: 'positive' }, { id: 'd', label: 'positive' }];
    const e = loadError(writeEvalFolder({ task: sentimentTask, items: bad, responses: '{"item": "a", "model": "m1", "output": "C"}\n{"item": "zz", "model": "m1", "output": "C"}\n' }));
    expect(e.issues.map((i) => `${i.file.split('/').pop() ?? ''}:${i.line ?? ''}`)).toEqual(['items.jsonl:2', 'items.jsonl:3', 'items.jsonl:4']);
  });

  it('collects every issue of a file instead of stopping at the first', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items, responses: '{"item": 1}\nnot json\n{"item": "a", "model": "m", "output": "A"}\n' });
    const e = loadError(dir);
    const lines = e.issues.map((i) => i.line);
    expect(lines).toContain(1);
    expect(lines).toContain(2);
  });

  it('validates task.json: kind, labels, and aliases that name two labels', () => {
    expect(loadError(writeEvalFolder({ task: { name: 'x', kind: 'regression' }, items, responses })).message).toMatch(/task\.json: kind:/);
    expect(loadError(writeEvalFolder({ task: { ...sentimentTask, labels: [sentimentTask.labels[0]] }, items, responses })).message).toMatch(/task\.json: labels: a classification task needs at least two labels/);
    const clash = { ...sentimentTask, labels: [{ name: 'yes', aliases: ['1'] }, { name: 'no', aliases: ['1'] }] };
    expect(loadError(writeEvalFolder({ task: clash, items, responses })).message).toMatch(/"1" names both "yes" and "no"/);
    expect(loadError(writeEvalFolder({ task: '{oops', items, responses })).message).toMatch(/task\.json: cannot read task/);
  });

  it('says which file is missing', () => {
    expect(loadError(writeEvalFolder({ task: sentimentTask })).message).toMatch(/items\.jsonl: file not found/);
    expect(() => loadEvalFolder(writeEvalFolder({ task: sentimentTask, items }), { requireResponses: true })).toThrow(/responses\.jsonl: file not found/);
  });

  it('loads a QA folder and requires two choices or more for multiple choice', () => {
    const task = { name: 'q', kind: 'qa', answerType: 'multiple-choice', instructions: '' };
    const ok = loadEvalFolder(writeEvalFolder({ task, items: [{ id: 'q1', question: '?', answers: ['A'], choices: [{ label: 'A', text: 'x' }, { label: 'B', text: 'y' }] }], responses: [] }));
    expect(ok.kind).toBe('qa');
    expect(loadError(writeEvalFolder({ task, items: [{ id: 'q1', question: '?', answers: ['A'] }], responses: [] })).message).toMatch(/items\.jsonl:1: choices: a multiple-choice question needs at least two choices, got none/);
  });
});

describe('loadEvalFolder: choices an answer could not tell apart', () => {
  const choices = (...labels: string[]) => labels.map((label, i) => ({ label, text: `option ${i}` }));

  it('refuses an item whose choice labels read as one (case and spaces aside), as fusion run refuses the question, naming the labels', () => {
    const task = { name: 'q', kind: 'qa', answerType: 'multiple-choice', instructions: '' };
    const items = [
      { id: 'q1', question: '?', answers: ['A'], choices: choices('A', 'B') },
      { id: 'q2', question: '?', answers: ['A'], choices: choices('A', 'B', 'a ') },
      { id: 'q3', question: '?', answers: ['B'], choices: choices('A', 'B', 'B') },
    ];
    const message = loadError(writeEvalFolder({ task, items, responses: [] })).message;
    expect(message).toMatch(/items\.jsonl:2: choices: choice labels must be distinct: "A" and "a " read as one label \(case and spaces aside\)\n.*items\.jsonl:3: choices: choice labels must be distinct: "B" labels two choices$/);
  });

  it('refuses them on a free-form or numeric item with choices too (the prompt shows them), and takes distinct labels', () => {
    const task = { name: 'q', kind: 'qa', answerType: 'free-form', instructions: '' };
    expect(loadError(writeEvalFolder({ task, items: [{ id: 'q1', question: '?', choices: choices('x', 'X') }], responses: [] })).message).toMatch(/items\.jsonl:1: choices: choice labels must be distinct: "x" and "X"/);
    expect(loadEvalFolder(writeEvalFolder({ task, items: [{ id: 'q1', question: '?', choices: choices('x', 'y') }], responses: [] })).items).toHaveLength(1);
  });
});

describe('loadEvalFolder: model names that differ only by case', () => {
  const twoSpellings = [
    { item: 'a', model: 'GPT-4o', output: 'C' },
    { item: 'a', model: 'm1', output: 'C' },
    { item: 'b', model: 'm1', output: 'A' },
    { item: 'b', model: 'gpt-4o', output: 'A' },
    { item: 'b', model: 'Gpt-4O', output: 'A' },
    { item: 'a', model: 'M1', output: 'A' },
  ];

  it('reads each spelling as a model of its own and warns, naming every spelling and the line each first appears on', () => {
    const dir = writeEvalFolder({ task: sentimentTask, items, responses: twoSpellings });
    const f = loadEvalFolder(dir);
    // Nothing read differently: every answer kept under its own spelling.
    expect(f.responses.map((r) => r.model)).toEqual(['GPT-4o', 'm1', 'm1', 'gpt-4o', 'Gpt-4O', 'M1']);
    expect(f.warnings?.map(formatIssue)).toEqual([
      `${join(dir, 'responses.jsonl')}:4: model: "GPT-4o" (first on line 1), "gpt-4o" (first on line 4) and "Gpt-4O" (first on line 5) differ only by case: each is read as a model of its own, with the answers under its spelling (model names are case-sensitive at providers; if they are one model, write one spelling)`,
      `${join(dir, 'responses.jsonl')}:6: model: "m1" (first on line 2) and "M1" (first on line 6) differ only by case: each is read as a model of its own, with the answers under its spelling (model names are case-sensitive at providers; if they are one model, write one spelling)`,
    ]);
  });

  it('has no warnings when every model has one spelling, nor when the answers are left unread (itemsOnly)', () => {
    expect('warnings' in loadEvalFolder(writeEvalFolder({ task: sentimentTask, items, responses }))).toBe(false);
    expect('warnings' in loadEvalFolder(writeEvalFolder({ task: sentimentTask, items, responses: twoSpellings }), { itemsOnly: true })).toBe(false);
  });
});
