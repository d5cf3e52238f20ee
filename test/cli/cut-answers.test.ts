import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildRatingMatrix } from '../../src/kinds/rating/rating-matrix.js';
import { readScore } from '../../src/kinds/rating/read-score.js';
import { buildItemAnswers } from '../../src/qa/build-items.js';
import { itemsOf } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithLabelledFolder } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';

// An answer longer than FUSION_MAX_ANSWER_CHARS is cut before it reaches the cache or any file. It
// did not end: a label stated before the cut may be corrected after it, and a free-form QA answer
// read whole would be the cut text itself. So every reader abstains on it (`cut`), and the cut is
// recorded with the answer (`"cut": true` in responses.jsonl), so a later replay knows it too.
const fixture = fakeServerFixture();
const LONG = 'anthropic:claude-3-5-haiku-latest';
// Long enough to pass the limit set below, with a label stated before the cut.
const rambling = (): string => `positive. ${'And yet, thinking again about it, '.repeat(8)}the answer is negative.`;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('answers cut at FUSION_MAX_ANSWER_CHARS', () => {
  it('fusion eval --models records the cut and reads no label from it; the report counts it as its own reason', async () => {
    vi.stubEnv('FUSION_MAX_ANSWER_CHARS', '120');
    const { server, t } = await startWithLabelledFolder(fixture, 6);
    server.options.content = ({ model }) => (LONG.endsWith(model) ? rambling() : undefined);
    const json = join(t.dir, 'r.json');
    const r = await runCli(['eval', t.dir, '--models', `openai:gpt-4o-mini,${LONG}`, '--no-cache', '--folds', '2', '--strategies', 'majority-vote', '--json', json, '--quiet'], { env: server.env() });
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    const lines = readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; output: string; cut?: boolean });
    const long = lines.filter((l) => l.model === LONG);
    expect(long).toHaveLength(6);
    for (const l of long) expect(l).toMatchObject({ cut: true, output: rambling().slice(0, 120) });
    for (const l of lines.filter((x) => x.model !== LONG)) expect(l.cut).toBeUndefined();
    const result = JSON.parse(readFileSync(json, 'utf8')) as { models: { name: string; abstentions: Record<string, number> }[] };
    expect(result.models.find((m) => m.name === LONG)?.abstentions.cut).toBe(6);
  });

  it('fusion run: the cut answer is on the line with abstain "cut", not read as the label it started with', async () => {
    vi.stubEnv('FUSION_MAX_ANSWER_CHARS', '120');
    const { server, t } = await startWithLabelledFolder(fixture, 2);
    server.options.content = ({ model }) => (LONG.endsWith(model) ? rambling() : undefined);
    const input = itemsOf(2).map((x) => JSON.stringify(x)).join('\n') + '\n';
    const r = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', `openai:gpt-4o-mini,${LONG}`, '--no-cache'], { env: server.env(), input });
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { answers: { model: string; label: string | null; abstain?: string }[] });
    for (const line of out) expect(line.answers.find((a) => a.model === LONG)).toMatchObject({ label: null, abstain: 'cut' });
  });

  it('QA and rating readers abstain on a recorded cut answer, whatever it states before the cut', () => {
    const qa = buildItemAnswers('q1', 'Where is the Eiffel tower?', { answerType: 'free-form' }, [{ model: 0, output: `The answer is Paris. ${'Or is it '.repeat(5)}`, cut: true }, { model: 1, output: 'Paris' }], 2);
    expect(qa.abstentions).toEqual([expect.objectContaining({ model: 0, reason: 'cut' })]);
    const rating = buildRatingMatrix({ items: [{ id: 'r1', text: 'a story' }], responses: [{ item: 'r1', model: 'j', output: 'Score: 4. On reflection', cut: true }], scale: { min: 1, max: 5 } }, readScore);
    expect(rating.abstentions).toEqual([expect.objectContaining({ reason: 'cut' })]);
    expect(Number.isNaN(rating.matrix.scores[0] as number)).toBe(true);
  });
});
