import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itemsOf } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { expectRefusedBeforeAnyCall, startWithLabelledFolder, startWithTask } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

const MODELS = 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest';

describe('fusion eval --models: the exit code and the money', () => {
  it('a mistyped --strategies or --explain-strategy is a usage error before any model is asked, not after paying for every call', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 12);
    for (const bad of [['--strategies', 'majority-vote,wieghted-vote'], ['--explain-strategy', 'majorty-vote']]) {
      const r = await runCli(['eval', t.dir, '--models', MODELS, '--no-cache', '--quiet', ...bad], { env: server.env() });
      expectRefusedBeforeAnyCall(r, server, t.dir, /wieghted-vote|majorty-vote/);
    }
  });

  it('more folds than items is a usage error before any model is asked, naming the flags that fix it; label-free strategies alone still run', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 3);
    const r = await runCli(['eval', t.dir, '--models', MODELS, '--no-cache', '--quiet'], { env: server.env() });
    expectRefusedBeforeAnyCall(r, server, t.dir, `${join(t.dir, 'items.jsonl')}: cannot make 5 folds from 3 items (give --folds 3 or fewer, or --strategies majority-vote,`);
    const unsupervised = await runCli(['eval', t.dir, '--models', MODELS, '--no-cache', '--quiet', '--strategies', 'majority-vote'], { env: server.env() });
    expect(unsupervised.status).toBe(0);
    expect(server.snapshot().successes).toBe(6);
  });

  it('a responses.jsonl line for an item the folder lacks, or a second answer, is refused before any call (live and --batch), the file untouched', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 12);
    const responses = join(t.dir, 'responses.jsonl');
    const foreign = '{"item":"other-task-7","model":"openai:gpt-4o-mini","output":"positive"}\n';
    const twice = '{"item":"item-3","model":"openai:gpt-4o-mini","output":"positive"}\n'.repeat(2);
    for (const [text, said] of [
      [foreign, `${responses}:1: item: response for unknown item "other-task-7"`],
      [twice, `${responses}:2: duplicate response of model "openai:gpt-4o-mini" for item "item-3" (first on line 1)`],
    ] as const) {
      writeFileSync(responses, text);
      for (const batch of [[], ['--batch', '--batch-poll', '0.01']]) {
        const r = await runCli(['eval', t.dir, '--models', MODELS, '--cache', join(t.dir, 'cache.sqlite'), '--quiet', ...batch], { env: server.env() });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toContain(said);
        expect(server.snapshot().requests + server.snapshot().batchRequests).toBe(0);
        expect(readFileSync(responses, 'utf8')).toBe(text);
      }
    }
  });

  it('stopped by --max-cost: the answers so far are evaluated and the exit code says so (3, as fusion run), not 0', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 60);
    const prices = join(t.dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': { input: 10, output: 10 }, 'anthropic:claude-3-5-haiku-latest': { input: 10, output: 10 } }));
    const json = join(t.dir, 'r.json');
    const base = ['eval', t.dir, '--models', MODELS, '--cache', join(t.dir, 'cache.sqlite'), '--prices', prices, '--folds', '2', '--strategies', 'majority-vote', '--quiet'];
    const stopped = await runCli([...base, '--max-cost', '0.05', '--json', json], { env: server.env() });
    expect(stopped.stderr).toMatch(/--max-cost budget of \$0\.050* was reached/);
    expect(existsSync(json)).toBe(true);
    expect(stopped.status).toBe(3);
    const paid = server.snapshot().successes;
    expect(paid).toBeGreaterThan(0);
    expect(paid).toBeLessThan(120);
    // The same command with room to finish pays only the calls not made, and exits 0.
    const resumed = await runCli([...base, '--max-cost', '100'], { env: server.env() });
    expect(resumed.status).toBe(0);
    expect(server.snapshot().successes).toBe(120);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
  });

  it('a bad gold label in items.csv is reported as file:line: field before any model is asked; nothing is recorded', async () => {
    const { server, t } = await startWithTask(fixture);
    writeFileSync(join(t.dir, 'items.csv'), 'id,text,label\n1,first,positive\n2,second, Negative \n3,third,positiv\n');
    const r = await runCli(['eval', t.dir, '--models', MODELS, '--no-cache', '--quiet'], { env: server.env() });
    expectRefusedBeforeAnyCall(r, server, t.dir, `${join(t.dir, 'items.csv')}:4: label: unknown gold label "positiv"`);
  });

  it('a folder whose answers are in responses.csv: refused before any call (the answers would go to a responses.jsonl beside it, which the folder then refuses)', async () => {
    const { server, t } = await startWithTask(fixture);
    writeFileSync(join(t.dir, 'items.csv'), 'id,text,label\n1,first,positive\n2,second,negative\n');
    writeFileSync(join(t.dir, 'responses.csv'), 'item,model,output\n1,old,positive\n2,old,negative\n');
    const r = await runCli(['eval', t.dir, '--models', MODELS, '--no-cache', '--quiet'], { env: server.env() });
    expect(r.stderr).toContain('responses.jsonl');
    expectRefusedBeforeAnyCall(r, server, t.dir, join(t.dir, 'responses.csv'));
  });

  it('answers recorded under the bare model name (gpt-4o-mini) and --models openai:gpt-4o-mini: a warning before any call says they will be asked again, and how to reuse them', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 4);
    writeFileSync(join(t.dir, 'responses.jsonl'), itemsOf(4).map((x) => JSON.stringify({ item: x.id, model: 'gpt-4o-mini', output: 'positive' })).join('\n') + '\n');
    const r = await runCli(['eval', t.dir, '--models', 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest', '--no-cache', '--folds', '2', '--strategies', 'majority-vote', '--quiet'], { env: server.env() });
    expect(r.status).toBe(0);
    const warning = r.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toContain('holds answers of "gpt-4o-mini"; --models openai:gpt-4o-mini is another name');
    expect(r.stderr.indexOf('warning')).toBeLessThan(r.stderr.indexOf('recorded '));
  });
});

