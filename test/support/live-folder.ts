import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { LABELS, itemsOf, task } from '../integration/setup.js';
import type { FakeLlmServer } from './fake-llm-server.js';
import type { fakeServerFixture } from './fake-server-fixture.js';
import type { CliRun } from './run-cli.js';

type Fixture = ReturnType<typeof fakeServerFixture>;

/**
 * Where most tests of the CLI against the fake server start: the server answering the sentiment
 * labels, a temp folder (both closed and removed after the test) and the sentiment task.json in it.
 */
export async function startWithTask(fixture: Fixture): Promise<{ server: FakeLlmServer; t: { dir: string } }> {
  const server = await fixture.start({ labels: LABELS });
  const t = fixture.tempDir();
  writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
  return { server, t };
}

/** The sentiment task and `n` items with gold labels (cycling through LABELS), no answers: every --models call is a new, paid one. */
export function writeLabelledFolder(dir: string, n: number): void {
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  writeFileSync(join(dir, 'items.jsonl'), itemsOf(n).map((x, i) => JSON.stringify({ ...x, label: LABELS[i % LABELS.length] })).join('\n') + '\n');
}

/** The fake server, a temp folder and in it a labelled folder of `n` items without answers (writeLabelledFolder). */
export async function startWithLabelledFolder(fixture: Fixture, n: number): Promise<{ server: FakeLlmServer; t: { dir: string } }> {
  const server = await fixture.start({ labels: LABELS });
  const t = fixture.tempDir();
  writeLabelledFolder(t.dir, n);
  return { server, t };
}

/** A `fusion eval --models` run on `dir` refused as a usage error (exit 2) saying `said`, before any model was asked or any answer written. */
export function expectRefusedBeforeAnyCall(r: CliRun, server: FakeLlmServer, dir: string, said: string | RegExp): void {
  expect(r.status).toBe(2);
  if (typeof said === 'string') expect(r.stderr).toContain(said);
  else expect(r.stderr).toMatch(said);
  expect(server.snapshot().requests).toBe(0);
  expect(existsSync(join(dir, 'responses.jsonl'))).toBe(false);
}
