import { describe, expect, it } from 'vitest';
import { otherRequestIssue } from '../../src/orchestrate/asked-requests.js';
import type { ModelHandle } from '../../src/orchestrate/orchestrator.js';
import { type AskedRequest, responseKey } from '../../src/orchestrate/responses-file.js';
import type { TaskItem } from '../../src/task/schema.js';
import { FakeModel } from './fake-model.js';

const handle = (name: string, sample?: number): ModelHandle => ({ name, model: new FakeModel('openai', name, () => ({ text: 'x' })), ...(sample === undefined ? {} : { sample }) });
const items: TaskItem[] = ['a', 'b', 'c'].map((id) => ({ id, text: id }));
/** The key the run would send now: "new" for item c, "old" for the rest, none for item b of model n (its prompt cannot be built). */
const keyOf = (item: TaskItem, h: ModelHandle): string | undefined => (item.id === 'b' && h.name === 'n' ? undefined : `${item.id === 'c' ? 'new' : 'old'}-${h.name}-${h.sample ?? 0}`);

function asked(lines: [item: string, model: string, sample: number, request: string][]): Map<string, AskedRequest> {
  return new Map(lines.map(([item, model, sample, request], i) => [responseKey(item, model, sample), { line: i + 1, request }]));
}

describe('otherRequestIssue (answers recorded with another request)', () => {
  it('counts, among the recorded answers the run would ask, those whose request differs, and names the first line of them', () => {
    const recorded = asked([
      ['a', 'm', 0, 'old-m-0'],
      ['c', 'm', 0, 'old-m-0'], // asked with the old prompt: differs
      ['b', 'm', 0, 'old-m-0'],
      ['c', 'n', 0, 'old-n-0'], // differs
      ['b', 'n', 0, 'old-n-0'], // its prompt cannot be built now: not compared
      ['a', 'gone', 0, 'whatever'], // a model this run does not ask: not compared
      ['a', 'm', 1, 'other'], // a sample this run does not ask: not compared
    ]);
    expect(otherRequestIssue('D/responses.jsonl', recorded, items, [handle('m'), handle('n')], keyOf)).toEqual({
      file: 'D/responses.jsonl',
      line: 2,
      field: 'request',
      message: expect.stringMatching(/^asked with another prompt or settings than task\.json gives now \(2 answers of 4\); to ask them again, move responses\.jsonl aside/),
    });
  });

  it('is silent when every compared request is the one rendered now, or when no line carries one', () => {
    const same = asked([
      ['a', 'm', 0, 'old-m-0'],
      ['a', 'm', 1, 'old-m-1'],
      ['c', 'gone', 0, 'anything'],
    ]);
    expect(otherRequestIssue('r', same, items, [handle('m', 0), handle('m', 1)], keyOf)).toBeUndefined();
    expect(otherRequestIssue('r', new Map(), items, [handle('m')], keyOf)).toBeUndefined();
  });

  it('compares only the items the run asks (a shard): a changed answer of another shard does not refuse it', () => {
    const recorded = asked([
      ['a', 'm', 0, 'old-m-0'],
      ['c', 'm', 0, 'old-m-0'],
    ]);
    expect(otherRequestIssue('r', recorded, items.slice(0, 2), [handle('m')], keyOf)).toBeUndefined();
    expect(otherRequestIssue('r', recorded, items, [handle('m')], keyOf)?.message).toMatch(/\(1 answers of 2\)/);
  });
});
