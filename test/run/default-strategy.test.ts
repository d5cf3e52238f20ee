import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuse, fuseMany } from '../../src/run/fuse.js';
import type { RatingTask } from '../../src/task/schema.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { writeEvalFolder } from '../support/temp-folder.js';

// The library and `fusion run` share one default strategy per kind (issue 21: fuseQaBatch / fuseMany
// and fusion run once defaulted to different ones). Three judges score 1, 2 and 5: the median (2)
// and the mean (2.67) differ, so a library call that fell back to another default would show.
const task: RatingTask = { name: 'defaults', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the text.' };
const MODELS = ['openai:a', 'anthropic:b', 'ollama:c'];
const SCORE: Record<string, number> = { a: 1, b: 2, c: 5 };

describe('one default strategy for the library and fusion run', () => {
  const fixture = fakeServerFixture();
  it('fuseMany() and fuse() without a strategy give the same scores as fusion run without --strategy', async () => {
    const server = await fixture.start({ labels: ['1'], content: ({ model }) => `Score: ${SCORE[model] ?? 0}` });
    const dir = writeEvalFolder({ task });
    const items = [0, 1, 2].map((i) => ({ id: `t${i}`, text: `text ${i}` }));
    const run = await runCli(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--no-cache'], { input: items.map((x) => JSON.stringify(x)).join('\n'), env: server.env() });
    expect(run.status).toBe(0);
    const cli = run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { score: number }).score);
    expect(cli).toEqual([2, 2, 2]);
    const many = await fuseMany(task, items, { models: MODELS, env: server.env(), cachePath: join(dir, 'c.sqlite') });
    expect(many.map((l) => l.score)).toEqual(cli);
    const one = await fuse(task, 'text 9', { models: MODELS, env: server.env(), cachePath: join(dir, 'c.sqlite') });
    expect(one.score).toBe(2);
  });
});
