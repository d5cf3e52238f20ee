import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELS, itemsOf, task } from '../integration/setup.js';
import type { FakeLlmServer } from './fake-llm-server.js';
import type { fakeServerFixture } from './fake-server-fixture.js';

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
