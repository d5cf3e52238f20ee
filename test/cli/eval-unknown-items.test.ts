import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { sentimentTask, writeEvalFolder } from '../support/temp-folder.js';

const items = [
  { id: 'a', text: 'great', label: 'positive' },
  { id: 'b', text: 'awful', label: 'negative' },
  { id: 'c', text: 'fine', label: 'positive' },
  { id: 'd', text: 'bad', label: 'negative' },
];
const answer = (item: string, model: string) => ({ item, model, output: item === 'a' || item === 'c' ? 'positive' : 'negative' });

// Answers of a larger set than items.jsonl holds (items cut to a subset, another task's file): plain
// eval says which lines and which ids, writes nothing, and never scores a partial folder silently.
describe('plain fusion eval on responses for items that items.jsonl does not have', () => {
  it('exit 2 naming each such line and its id (file:line: item: ...), nothing written', async () => {
    const responses = [...items.flatMap((i) => [answer(i.id, 'm1'), answer(i.id, 'm2')]), answer('zz-9', 'm1'), answer('a', 'm3'), answer('yy-1', 'm3')];
    const dir = writeEvalFolder({ task: sentimentTask, items, responses });
    const before = readFileSync(join(dir, 'responses.jsonl'));
    const r = await runCli(['eval', dir, '--folds', '2', '--json', join(dir, 'out.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'responses.jsonl')}:9: item: response for unknown item "zz-9"`);
    expect(r.stderr).toContain(`${join(dir, 'responses.jsonl')}:11: item: response for unknown item "yy-1"`);
    // A model only some lines name is no error: line 10 (m3 on item a) is not reported.
    expect(r.stderr).not.toMatch(/:10: /);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    expect(readFileSync(join(dir, 'responses.jsonl')).equals(before)).toBe(true);
  });

  it('thousands of such lines: the first ones named, the rest counted, not a flood', async () => {
    const responses = [...items.map((i) => answer(i.id, 'm1')), ...Array.from({ length: 3000 }, (_, k) => answer(`gone-${k}`, 'm1'))];
    const dir = writeEvalFolder({ task: sentimentTask, items, responses });
    const r = await runCli(['eval', dir, '--folds', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(':5: item: response for unknown item "gone-0"');
    expect(r.stderr).toMatch(/\.\.\. and 2980 more/);
    expect(r.stderr.split('\n').length).toBeLessThan(30);
  });
});
