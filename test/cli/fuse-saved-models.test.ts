import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

const LABELS = ['positive', 'negative', 'neutral'];
const task = { name: 'sent', kind: 'classification', labels: LABELS.map((name) => ({ name })), instructions: '' };
const items = Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, text: `item ${i}`, label: LABELS[i % 3] as string }));
/** Model a is right on every item, b on two items of three, c answers positive always. */
function answers(names: readonly [string, string, string]): string {
  const [a, b, c] = names;
  return items
    .flatMap((item, i) => [
      { item: item.id, model: a, output: item.label },
      { item: item.id, model: b, output: i % 3 === 0 ? (LABELS[(i + 1) % 3] as string) : item.label },
      { item: item.id, model: c, output: 'positive' },
    ])
    .map((r) => JSON.stringify(r))
    .join('\n');
}

function folder(names: readonly [string, string, string]): string {
  const { dir } = fixture.tempDir();
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  writeFileSync(join(dir, 'items.jsonl'), items.map((i) => JSON.stringify(i)).join('\n'));
  writeFileSync(join(dir, 'responses.jsonl'), answers(names));
  return dir;
}

describe('fusion fuse --strategy SAVED: the answers of other models than those it was fitted with', () => {
  it('is an error naming the fitted models (exit 2), never a fusion that reads them as absent; --model-map says which is which', async () => {
    const fitted = folder(['openai:m-a', 'openai:m-b', 'openai:m-c']);
    const saved = join(fitted, 'wv.json');
    expect((await runCli(['fit', fitted, '--strategy', 'weighted-vote', '--out', saved])).status).toBe(0);
    const same = await runCli(['fuse', fitted, '--strategy', saved, '--quiet']);
    expect(same.status).toBe(0);

    const other = folder(['x-a', 'x-b', 'x-c']);
    const refused = await runCli(['fuse', other, '--strategy', saved, '--quiet']);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/fitted with openai:m-a, openai:m-b, openai:m-c/);
    expect(refused.stderr).toMatch(/--model-map openai:m-a=/);

    const mapped = await runCli(['fuse', other, '--strategy', saved, '--quiet', '--model-map', 'openai:m-a=x-a,openai:m-b=x-b,openai:m-c=x-c']);
    expect(mapped.status).toBe(0);
    const labels = (out: string): string[] => out.trim().split('\n').map((l) => (JSON.parse(l) as { label: string }).label);
    expect(labels(mapped.stdout)).toEqual(labels(same.stdout));
    expect(labels(mapped.stdout)).toEqual(items.map((i) => i.label));

    // One fitted model left out on purpose; the others matched by their model part.
    const partial = folder(['anthropic:m-a', 'anthropic:m-b', 'anthropic:m-z']);
    expect((await runCli(['fuse', partial, '--strategy', saved, '--quiet'])).status).toBe(2);
    expect((await runCli(['fuse', partial, '--strategy', saved, '--quiet', '--model-map', 'openai:m-c=-'])).status).toBe(0);
  });
});
