/**
 * Readable answers per (model, sample) call of any dev set: per model, the items on which each of
 * its sample columns gave an answer the task's kind reads (src/run/readable-calls.ts). A call
 * readable on no training item is one `adaptive` never asks (src/fuse/adaptive/unread-columns.ts,
 * src/kinds/rating/unread-judges.ts); one readable on a few stays askable.
 *
 *   npx tsx bench/unread-calls.ts ../shared/data/mot-gsm8k ../shared/data/mt-da-dev
 */
import { readableCalls } from '../src/run/readable-calls.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';

for (const dir of process.argv.slice(2)) {
  const folder = loadEvalFolder(dir, { requireResponses: true });
  const calls = readableCalls(folder.task, folder.items, folder.responses);
  const counts = new Map<string, number[]>();
  for (const c of calls) counts.set(c.model, [...(counts.get(c.model) ?? []), c.readable]);
  console.log(`${dir} (${folder.kind}, ${folder.items.length} items, ${calls.length} calls per item)`);
  for (const [name, v] of counts) console.log(`  ${name}: ${v.join(', ')}`);
}
