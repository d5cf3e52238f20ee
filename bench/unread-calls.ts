/**
 * Readable answers per (model, sample) call of a QA folder: per model, the items on which each of
 * its sample columns gave a readable answer. A call readable on no training item is one `adaptive`
 * never asks (src/fuse/adaptive/unread-columns.ts); one readable on a few stays askable.
 *
 *   npx tsx bench/unread-calls.ts ../shared/data/mot-gsm8k
 */
import { expandSamples } from '../src/fuse/answer-matrix.js';
import { prepareQa } from '../src/qa/prepare.js';
import { loadEvalFolder } from '../src/task/load-folder.js';

for (const dir of process.argv.slice(2)) {
  const folder = loadEvalFolder(dir, { requireResponses: true });
  if (folder.kind !== 'qa') {
    console.log(`${dir}: not a QA folder, skipped`);
    continue;
  }
  const x = expandSamples(prepareQa(folder).candidates.matrix);
  const M = x.models.length;
  const N = x.itemIds.length;
  const counts = new Map<string, number[]>();
  for (let j = 0; j < M; j++) {
    let c = 0;
    for (let i = 0; i < N; i++) c += x.present[i * M + j] as number;
    const name = x.models[j] as string;
    counts.set(name, [...(counts.get(name) ?? []), c]);
  }
  console.log(`${dir} (${N} items, ${M} calls per item)`);
  for (const [name, v] of counts) console.log(`  ${name}: ${v.join(', ')}`);
}
