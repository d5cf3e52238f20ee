import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestBuilder } from '../../src/orchestrate/request-builder.js';
import type { ClassificationTask } from '../../src/task/schema.js';

export const sentimentTask: ClassificationTask = {
  name: 'sentiment',
  kind: 'classification',
  labels: [
    { name: 'positive', aliases: ['pos'] },
    { name: 'negative', aliases: ['neg'] },
  ],
  instructions: 'Label the sentiment.',
};

/** A plain prompt: labels in the system message, the item text alone as the user message. */
export const plainBuilder: RequestBuilder = (task, item) => ({
  messages: [
    { role: 'system', content: `${task.name}: answer with one label` },
    { role: 'user', content: 'text' in item ? item.text : item.question },
  ],
  temperature: 0,
  maxTokens: 5,
});

export function makeTempDir(prefix = 'fusion-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
