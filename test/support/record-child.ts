/**
 * Child process for the kill-and-resume test: records a folder's answers with the real adapters
 * (endpoints and keys from the environment). Usage: record-child.ts <dir> <models> <concurrency> <cache>
 */
import { recordFolderResponses } from '../../src/cli/record-folder.js';

const [dir, models, concurrency, cache] = process.argv.slice(2);
if (!dir || !models || !concurrency || !cache) {
  process.stderr.write('usage: record-child.ts <dir> <models> <concurrency> <cache>\n');
  process.exit(2);
}
await recordFolderResponses(dir, models.split(','), { concurrency, cache }, { stderr: process.stderr });
