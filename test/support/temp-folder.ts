import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedData } from './shared-data.js';

/** Writes an eval folder from plain objects (or raw text for a file) into a fresh temp dir. */
export function writeEvalFolder(files: { task?: unknown; items?: unknown[] | string; responses?: unknown[] | string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fusion-test-'));
  const jsonl = (x: unknown[] | string) => (typeof x === 'string' ? x : `${x.map((r) => JSON.stringify(r)).join('\n')}\n`);
  if (files.task !== undefined) writeFileSync(join(dir, 'task.json'), typeof files.task === 'string' ? files.task : JSON.stringify(files.task));
  if (files.items !== undefined) writeFileSync(join(dir, 'items.jsonl'), jsonl(files.items));
  if (files.responses !== undefined) writeFileSync(join(dir, 'responses.jsonl'), jsonl(files.responses));
  return dir;
}

export const sentimentTask = {
  name: 'tiny-sentiment',
  kind: 'classification',
  labels: [
    { name: 'negative', aliases: ['A'] },
    { name: 'neutral', aliases: ['B'] },
    { name: 'positive', aliases: ['C'] },
  ],
  instructions: 'Sentiment? Answer A, B or C.',
};

/** The shared data folder with real recorded answers, or null when this checkout has none beside it (throws in CI). */
export function sharedDataDir(): string | null {
  return sharedData();
}
