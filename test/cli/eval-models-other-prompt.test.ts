import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithLabelledFolder } from '../support/live-folder.js';
import { captureStream, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];

const io = (env: Record<string, string>) => ({ stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env });
const args = (dir: string, extra: string[] = []) => ['eval', dir, '--models', MODELS.join(','), '--cache', join(dir, 'cache.sqlite'), '--folds', '2', ...extra];
const editInstructions = (dir: string) => writeFileSync(join(dir, 'task.json'), JSON.stringify({ ...task, instructions: `${task.instructions} Answer in one word.` }));

describe('fusion eval --models on answers asked with another prompt', () => {
  it('records the request of every answer; after task.json is edited, refuses before any call and leaves responses.jsonl as it was', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 8);
    const env = server.env();
    const first = io(env);
    expect(await main(args(t.dir), first)).toBe(0);
    const path = join(t.dir, 'responses.jsonl');
    const recorded = readFileSync(path);
    const lines = recorded.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { request?: unknown });
    expect(lines).toHaveLength(16);
    for (const l of lines) expect(l.request).toMatch(/^[0-9a-f]{64}$/);

    editInstructions(t.dir);
    const requests = server.snapshot().requests;
    const second = io(env);
    expect(await main(args(t.dir), second)).toBe(2);
    expect(second.stderr.text()).toMatch(/responses\.jsonl:1: request: asked with another prompt or settings than task\.json gives now \(16 answers of 16\)/);
    expect(second.stderr.text()).toMatch(/move responses\.jsonl aside/);
    expect(second.stdout.text()).toBe('');
    expect(server.snapshot().requests).toBe(requests);
    expect(readFileSync(path).equals(recorded)).toBe(true);
  });

  it('an unedited re-run makes no call and evaluates the recorded answers as before', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 8);
    const env = server.env();
    const json = (name: string) => ['--json', join(t.dir, name)];
    expect(await main(args(t.dir, json('first.json')), io(env))).toBe(0);
    // Every line carries its request, so the re-run compares all of them and finds them all alike.
    for (const l of readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n')) expect(JSON.parse(l)).toHaveProperty('request');
    const requests = server.snapshot().requests;
    const second = io(env);
    expect(await main(args(t.dir, json('second.json')), second)).toBe(0);
    expect(second.stderr.text()).toMatch(/recorded 0 answer\(s\) \(0 from the cache\), 16 already present/);
    expect(server.snapshot().requests).toBe(requests);
    const models = (name: string) => (JSON.parse(readFileSync(join(t.dir, name), 'utf8')) as { models: unknown }).models;
    expect(models('second.json')).toEqual(models('first.json'));
  });

  it('lines without a request (an older file) are taken as they are, whatever task.json says now', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 8);
    const env = server.env();
    expect(await main(args(t.dir), io(env))).toBe(0);
    const path = join(t.dir, 'responses.jsonl');
    expect(readFileSync(path, 'utf8')).toContain('"request":');
    const old = readFileSync(path, 'utf8').trim().split('\n').map((l) => {
      // An older file has neither key: the request (settings included) nor the prompt alone.
      const { request: _request, promptKey: _promptKey, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    writeFileSync(path, `${old.join('\n')}\n`);
    editInstructions(t.dir);
    const requests = server.snapshot().requests;
    const second = io(env);
    expect(await main(args(t.dir), second)).toBe(0);
    expect(second.stderr.text()).toMatch(/recorded 0 answer\(s\) \(0 from the cache\), 16 already present/);
    expect(server.snapshot().requests).toBe(requests);
  });

  it('--batch records the request too (the batch custom_id), and an edited task.json is refused before any batch is sent', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 6);
    const env = server.env();
    const first = io(env);
    expect(await main(args(t.dir, ['--batch', '--batch-poll', '0.001']), first)).toBe(0);
    const path = join(t.dir, 'responses.jsonl');
    const recorded = readFileSync(path);
    const lines = recorded.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { request?: unknown });
    expect(lines).toHaveLength(12);
    for (const l of lines) expect(l.request).toMatch(/^[0-9a-f]{64}$/);
    expect(server.snapshot().batchRequests).toBe(12);

    editInstructions(t.dir);
    const before = server.snapshot();
    const second = io(env);
    expect(await main(args(t.dir, ['--batch', '--batch-poll', '0.001']), second)).toBe(2);
    expect(second.stderr.text()).toMatch(/request: asked with another prompt or settings than task\.json gives now \(12 answers of 12\)/);
    const after = server.snapshot();
    expect([after.requests, after.batchesCreated, after.batchRequests]).toEqual([before.requests, before.batchesCreated, before.batchRequests]);
    expect(readFileSync(path).equals(recorded)).toBe(true);
  });
});
