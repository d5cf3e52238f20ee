import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchFittedModels, parseModelMap } from '../../src/run/model-map.js';
import { InputError } from '../../src/task/errors.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { repoRoot, runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

describe('matching live models to the names a strategy was fitted with', () => {
  const fitted = ['gpt-4o-mini-2024-07-18', 'claude-3-5-haiku-20241022', 'gemma2_27b'];

  it('matches by exact name, then by the model part of provider:model, then as --model-map says', () => {
    const m = matchFittedModels(fitted, ['openai:gpt-4o-mini-2024-07-18', 'anthropic:claude-3-5-haiku-20241022', 'ollama:gemma2:27b'], parseModelMap('gemma2_27b=ollama:gemma2:27b'));
    expect(m.names).toEqual(fitted);
    expect(m.unmatched).toEqual([]);
  });

  it('names every fitted model no spec stands for', () => {
    const m = matchFittedModels(fitted, ['openai:gpt-4o-mini'], new Map());
    expect(m.unmatched).toEqual(fitted);
    expect(m.names).toEqual(['openai:gpt-4o-mini']);
  });

  it('never guesses when the model part points two ways', () => {
    const m = matchFittedModels(['openai:llama3.1', 'ollama:llama3.1'], ['together:llama3.1'], new Map());
    expect(m.unmatched).toEqual(['openai:llama3.1', 'ollama:llama3.1']);
    const two = matchFittedModels(['llama3.1'], ['openai:llama3.1', 'ollama:llama3.1'], new Map());
    expect(two.unmatched).toEqual(['llama3.1']);
  });

  it('without --models asks the fitted models through the map; NAME=- leaves one out on purpose', () => {
    const m = matchFittedModels(fitted, undefined, parseModelMap('gpt-4o-mini-2024-07-18=openai:gpt-4o-mini,claude-3-5-haiku-20241022=anthropic:claude-3-5-haiku-latest,gemma2_27b=-'));
    expect(m.specs).toEqual(['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest']);
    expect(m.names).toEqual(['gpt-4o-mini-2024-07-18', 'claude-3-5-haiku-20241022']);
    expect(m.leftOut).toEqual(['gemma2_27b']);
    expect(m.unmatched).toEqual([]);
  });

  it('refuses a map entry that is not recorded=spec, or names a model the strategy does not know', () => {
    expect(() => parseModelMap('gpt-4o-mini')).toThrow(InputError);
    expect(() => matchFittedModels(fitted, undefined, parseModelMap('gpt-4o=openai:gpt-4o'))).toThrow(/not a model the strategy was fitted with/);
  });
});

describe('fit on a bundled set, then run on live models (the README\'s fit once, fuse later)', () => {
  const folder = join(repoRoot, 'evals/toxicity-en');
  const recorded = [...new Set(readFileSync(join(folder, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { model: string }).model))];
  const items = readFileSync(join(folder, 'items.jsonl'), 'utf8').trim().split('\n').slice(0, 20).map((l) => {
    const { id, text } = JSON.parse(l) as { id: string; text: string };
    return JSON.stringify({ id, text });
  });

  it('gives a label on every line with --model-map, and exits 2 naming the fitted models nothing stands for', async () => {
    const server = await fixture.start({ labels: ['toxic', 'non-toxic'] });
    const t = fixture.tempDir();
    const saved = join(t.dir, 'toxicity-stacking.json');
    expect((await runCli(['fit', folder, '--strategy', 'stacking', '--out', saved, '--folds', '0'])).status).toBe(0);

    // Verbatim: the recorded names are no provider:model specs; nothing is asked, nothing written.
    const verbatim = await runCli(['run', '--task', join(folder, 'task.json'), '--strategy', saved, '--no-cache'], { input: items.join('\n'), env: server.env() });
    expect(verbatim.status).toBe(2);
    expect(verbatim.stdout).toBe('');
    for (const m of recorded) expect(verbatim.stderr).toContain(m);
    expect(verbatim.stderr).toContain('--model-map');

    // Specs that stand for none of them: exit 2, never null labels with exit 0.
    const wrong = await runCli(['run', '--task', join(folder, 'task.json'), '--strategy', saved, '--models', 'openai:gpt-4o', '--no-cache'], { input: items.join('\n'), env: server.env() });
    expect(wrong.status).toBe(2);
    expect(wrong.stdout).toBe('');

    // Every recorded model mapped to a live one (here all served by the fake OpenAI endpoint).
    const map = recorded.map((m) => `${m}=openai:${m}`).join(',');
    const mapped = await runCli(['run', '--task', join(folder, 'task.json'), '--strategy', saved, '--model-map', map, '--no-cache'], { input: items.join('\n'), env: server.env() });
    expect(mapped.stderr).not.toMatch(/warning|unexpected/);
    expect(mapped.status).toBe(0);
    const lines = mapped.stdout.trim().split('\n').map((l) => JSON.parse(l) as { label: string | null; answers: { model: string }[] });
    expect(lines).toHaveLength(items.length);
    for (const l of lines) {
      expect(['toxic', 'non-toxic']).toContain(l.label);
      expect(l.answers.map((a) => a.model)).toEqual(recorded);
    }

    // Matching specs: the model part of provider:model names each fitted model once.
    const specs = recorded.map((m) => `openai:${m}`).join(',');
    const matched = await runCli(['run', '--task', join(folder, 'task.json'), '--strategy', saved, '--models', specs, '--no-cache'], { input: items.join('\n'), env: server.env() });
    expect(matched.status).toBe(0);
    expect(matched.stdout.trim().split('\n').every((l) => (JSON.parse(l) as { label: string | null }).label !== null)).toBe(true);
  });
});
