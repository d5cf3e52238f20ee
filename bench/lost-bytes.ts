/**
 * Answers holding a character lost in decoding (U+FFFD: the provider's bytes were not valid UTF-8)
 * on any dev set, and how many of them the set's kind reads (src/normalize/lost-bytes.ts: a reading
 * that depends on what was lost abstains as `encoding`). Run it on two commits to see what changed.
 *
 *   npx tsx bench/lost-bytes.ts ../shared/data/[a-z]*
 */
import { readableCalls } from '../src/run/readable-calls.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';

for (const dir of process.argv.slice(2)) {
  const folder = loadEvalFolder(dir, { requireResponses: true });
  const lost = folder.responses.filter((r) => r.output.includes('\uFFFD'));
  if (lost.length === 0) continue;
  const read = readableCalls(folder.task, folder.items, lost).reduce((n, c) => n + c.readable, 0);
  console.log(`${dir} (${folder.kind}): ${lost.length} of ${folder.responses.length} answers hold U+FFFD, ${read} of them read`);
}
