import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import type { FakeLlmServer } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, expectedLabel, runLines, task } from './setup.js';

const fixture = fakeServerFixture();
// Models with a batch API: every call the policy asks can go into a batch.
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'openai:gpt-4o'];
const options = { labels: LABELS, disagreement: 0.3 };
/** Words only the items of one label carry: where an item has them, its text alone tells its label. */
const CUES: Record<string, string> = { positive: 'sunshine meadow', negative: 'thunder swamp', neutral: 'paperwork ledger' };

/**
 * Items whose texts name their label on every other item: the fake server's truth is a hash of the
 * prompt, so a cued text is redrawn (its number suffix) until the truth is the label its words
 * name. The others carry no cue. Gold is the truth (what most models answer).
 */
function items(n: number, prefix: string): { id: string; text: string; label: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const cued = i % 2 === 0;
    const want = LABELS[(i >> 1) % LABELS.length] as string;
    for (let v = 0; ; v++) {
      const text = cued ? `Note ${prefix}${i}.${v}: ${CUES[want]}.` : `Note ${prefix}${i}: nothing much to say.`;
      const truth = expectedLabel(MODELS[0] as string, text, 0);
      if (!cued || truth === want) return { id: `${prefix}${i}`, text, label: truth };
    }
  });
}

/** An output line of a classification run under an adaptive policy. */
type Line = { id: string; label: string | null; cost: number; answers: { model: string; output: string | null }[] } & { asked?: number; stopped?: string };

describe('adaptive checkpoint 0: items decided from their text before any call', () => {
  it('fit --text-checkpoint saves it; run live, --batch and --max-calls-per-item make no call for those items; a policy saved without it asks as before', async () => {
    const trainServer = await fixture.start(options);
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), items(240, 'train-').map((i) => JSON.stringify(i)).join('\n') + '\n');
    await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: trainServer.env() });
    const policy = join(t.dir, 'policy.json');
    // Gold is the first model's own answer, so the texts cannot beat the models: checkpoint 0 only
    // saves calls, and its stops pay for their own doubt (one pseudo-disagreement of their own).
    // At the default half point the setting chosen leaves them no room with 240 items under the
    // pseudo-disagreement bound; a one-point target does, under either bound.
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--text-checkpoint', '--max-loss', '1', '--out', policy, '--folds', '0'], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);
    const saved = JSON.parse(readFileSync(policy, 'utf8')) as { state: { text?: { tau: number; prefix: { strategy: string } } } };
    expect(saved.state.text?.prefix.strategy).toBe('text-only');

    const fresh = items(30, 'new-');
    const input = fresh.map(({ id, text }) => JSON.stringify({ id, text })).join('\n') + '\n';
    const run = (server: FakeLlmServer, strategy: string, cache: string, extra: string[] = []) =>
      runLines<Line>({ task: join(t.dir, 'task.json'), strategy, models: MODELS, cache: join(t.dir, cache), input, env: server.env(), extra });

    const liveServer = await fixture.start(options);
    const live = await run(liveServer, policy, 'live.sqlite');
    expect(live.code, live.err).toBe(0);
    const asked = live.lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    expect(liveServer.snapshot().successes).toBe(asked);
    const fromText = live.lines.filter((l) => l.stopped === 'text');
    expect(fromText.length).toBeGreaterThan(0);
    for (const l of fromText) {
      expect(l.asked).toBe(0);
      expect(l.cost).toBe(0);
      expect(l.answers.every((a) => a.output === null)).toBe(true);
    }
    // They are, all but a few (the bound allows a few disagreements), cued items, labelled as their words say.
    const right = fromText.filter((l) => l.label === (fresh.find((i) => i.id === l.id) as (typeof fresh)[number]).label);
    expect(right.length).toBeGreaterThanOrEqual(0.8 * fromText.length);
    // --batch: rounds submit exactly the live run's calls (none for the text-decided items), same lines.
    const batchServer = await fixture.start({ ...options, batches: { pollsToFinish: 1 } });
    const batched = await run(batchServer, policy, 'batch.sqlite', ['--batch', '--batch-poll', '0.001']);
    expect(batched.code, batched.err).toBe(0);
    expect(batchServer.snapshot()).toMatchObject({ requests: 0, batchRequests: asked });
    const free = (lines: Line[]) => lines.map((l) => ({ ...l, cost: 0 }));
    expect(free(batched.lines)).toEqual(free(live.lines));

    // A call cap keeps the text-decided items at no call.
    const cappedServer = await fixture.start(options);
    const capped = await run(cappedServer, policy, 'capped.sqlite', ['--max-calls-per-item', '1']);
    expect(capped.code, capped.err).toBe(0);
    expect(cappedServer.snapshot().successes).toBe(capped.lines.reduce((a, l) => a + (l.asked ?? 0), 0));
    expect(capped.lines.filter((l) => l.stopped === 'text').map((l) => l.id)).toEqual(fromText.map((l) => l.id));
    expect(capped.lines.every((l) => (l.asked ?? 0) <= 1)).toBe(true);

    // A policy saved before checkpoint 0 existed (no `text` in its state) loads and asks at least one model on every item.
    const old = join(t.dir, 'old-policy.json');
    const { text: _text, ...state } = saved.state;
    writeFileSync(old, JSON.stringify({ ...saved, state }));
    const oldServer = await fixture.start(options);
    const before = await run(oldServer, old, 'old.sqlite');
    expect(before.code, before.err).toBe(0);
    expect(before.lines.every((l) => (l.asked ?? 0) >= 1 && l.stopped !== 'text')).toBe(true);
    expect(oldServer.snapshot().successes).toBe(before.lines.reduce((a, l) => a + (l.asked ?? 0), 0));
    // Where the new policy asked, it asked what the old one asks (the same policy from the first call on).
    for (const l of live.lines.filter((x) => x.stopped !== 'text')) expect(before.lines.find((b) => b.id === l.id)).toMatchObject({ asked: l.asked, stopped: l.stopped, label: l.label });
  }, 120_000);
});
