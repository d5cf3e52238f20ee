/**
 * Child process for the shared-file write test: records, resolves and collects `rounds` batches
 * on one store (each with its own claims and answers), as a batch run does, then prints "ok".
 * Any store error ends it with exit 1 and the error on stderr.
 * Usage: batch-records-child.ts <location> <name> <rounds>
 */
import { openStore } from '../../src/orchestrate/cache.js';

const [location, name, rounds] = process.argv.slice(2);
if (!location || !name || !rounds) {
  process.stderr.write('usage: batch-records-child.ts <location> <name> <rounds>\n');
  process.exit(2);
}
const store = openStore(location, { read: true, write: true });
await store.ready();
for (let r = 0; r < Number(rounds); r++) {
  const keys = [0, 1, 2].map((i) => `${name}-${r}-${i}`);
  await store.claimForBatch(keys);
  const token = `${name}-intent-${r}`;
  await store.batches.addIntent({ token, provider: 'openai', model: 'openai:m', requests: keys.length, estimatedCost: 0, createdAt: new Date().toISOString() }, keys);
  const info = { id: `${name}-batch-${r}`, status: 'ended' as const, done: true, counts: { total: 3, succeeded: 3, failed: 0, processing: 0 } };
  await store.batches.resolveIntent(token, info);
  await store.batches.update(info);
  for (const key of keys) await store.put({ key, provider: 'openai', model: 'm' }, { text: 'yes', usage: { input: 1, output: 1 }, cost: 0, latencyMs: 1 });
  await store.flush();
  await store.batches.markCollected(info.id, { succeeded: 3, failed: 0, cost: 0 });
}
await store.close();
process.stdout.write('ok\n');
