import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kindOf } from '../../src/kinds/registry.js';
import { promptKey } from '../../src/orchestrate/cache-key.js';
import { createPromptPart } from '../../src/orchestrate/default-request.js';
import { otherPromptsIssue } from '../../src/orchestrate/prompt-keys.js';
import type { AnswerFormat } from '../../src/prompts/kind-prompt.js';
import type { AskedPrompt } from '../../src/task/response-checks.js';
import type { Task, TaskItem } from '../../src/task/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'prompt-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One task of each kind, with an item, and the same task with its instructions edited. */
const cases: { task: Task; item: TaskItem }[] = [
  { task: { name: 'c', kind: 'classification', labels: [{ name: 'yes', aliases: [] }, { name: 'no', aliases: [] }], instructions: 'Is it spam?' }, item: { id: 'i', text: 'Buy now' } },
  { task: { name: 'q', kind: 'qa', answerType: 'free-form', instructions: 'Answer briefly.' }, item: { id: 'i', question: 'Capital of France?' } },
  { task: { name: 'r', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the fluency.' }, item: { id: 'i', text: 'The cat sat.' } },
];

/** The key the recording run wrote for `item` when task.json was `task`, asked in `format`. */
const recordedKey = (task: Task, item: TaskItem, format: AnswerFormat = 'text') => promptKey(createPromptPart(task, kindOf(task).prompt, { format, baseDir: dir })(item));
const asked = (item: string, key: string, line = 1): AskedPrompt => ({ line, item, promptKey: key });
const issue = (task: Task, answers: AskedPrompt[], items: TaskItem[]) => otherPromptsIssue('D/responses.jsonl', answers, task, kindOf(task).prompt, items, { baseDir: dir });

describe.each(cases)('otherPromptsIssue on a $task.kind task', ({ task, item }) => {
  it('is silent for answers asked with the prompt task.json renders now, in either answer format', () => {
    expect(issue(task, [asked('i', recordedKey(task, item)), asked('i', recordedKey(task, item, 'json'), 2)], [item])).toBeUndefined();
  });

  it('refuses answers asked before the instructions were edited, naming the first line and counting', () => {
    const edited = { ...task, instructions: `${task.instructions} Be careful.` };
    const answers = [asked('i', recordedKey(edited, item), 3), asked('i', recordedKey(task, item), 5), asked('i', recordedKey(task, item, 'json'), 7)];
    expect(issue(edited, answers, [item])).toEqual({
      file: 'D/responses.jsonl',
      line: 5,
      field: 'promptKey',
      message: expect.stringMatching(/^asked with another prompt than task\.json gives now \(2 answers of 3\); to evaluate them as recorded, put task\.json back as it was/),
    });
  });

  it('does not compare what it cannot render now: an item not in the list, a template task.json names that is gone', () => {
    const other = asked('elsewhere', 'f'.repeat(64));
    expect(issue(task, [other], [item])).toBeUndefined();
    expect(issue({ ...task, prompt: 'gone.md' }, [asked('i', 'f'.repeat(64))], [item])).toBeUndefined();
  });
});

describe('otherPromptsIssue and templates', () => {
  it('an edit of the template file the task names is another prompt', () => {
    const template = join(dir, 'mine.md');
    writeFileSync(template, '<!-- user -->\n{{instructions}}\n<item>\n{{text}}\n</item>\n');
    const task: Task = { name: 'c', kind: 'classification', labels: [{ name: 'yes', aliases: [] }, { name: 'no', aliases: [] }], instructions: 'Is it spam?', prompt: 'mine.md' };
    const item: TaskItem = { id: 'i', text: 'Buy now' };
    const key = recordedKey(task, item);
    expect(issue(task, [asked('i', key)], [item])).toBeUndefined();
    writeFileSync(template, '<!-- user -->\n{{instructions}} Think first.\n<item>\n{{text}}\n</item>\n');
    expect(issue(task, [asked('i', key)], [item])?.message).toMatch(/\(1 answers of 1\)/);
  });
});
