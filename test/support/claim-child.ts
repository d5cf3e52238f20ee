/**
 * Child process for the claim tests: opens a store, claims every key, prints one JSON line
 * {"pid", "runId", "claims": {key: status}} and stays alive (renewing its leases) until killed.
 * With `--wait`, a key held by another run is polled until this run gets it (or finds it answered),
 * and a line {"key", "status", "afterMs"} is printed for each.
 * Usage: claim-child.ts <location> <leaseMs> <scope|auto> [--wait] <key>...
 * A scope other than `auto` makes the run claim as if it were on another machine (its pid cannot be checked).
 */
import { openStore } from '../../src/orchestrate/cache.js';
import { newClaimOwner } from '../../src/orchestrate/store/claim-owner.js';

const [location, lease, scope, ...rest] = process.argv.slice(2);
if (!location || !lease || !scope) {
  process.stderr.write('usage: claim-child.ts <location> <leaseMs> <scope|auto> [--wait] <key>...\n');
  process.exit(2);
}
const wait = rest[0] === '--wait';
const keys = wait ? rest.slice(1) : rest;
const owner = newClaimOwner();
const store = openStore(location, { read: true, write: true }, { leaseMs: Number(lease), owner: scope === 'auto' ? owner : { ...owner, scope } });
await store.ready();
const claims: Record<string, string> = {};
for (const key of keys) claims[key] = (await store.claim(key, true)).status;
process.stdout.write(`${JSON.stringify({ pid: process.pid, runId: store.runId, claims })}\n`);
if (wait) {
  const t0 = Date.now();
  for (const key of keys) {
    if (claims[key] !== 'busy') continue;
    for (;;) {
      const r = await store.claim(key, true);
      if (r.status !== 'busy') {
        process.stdout.write(`${JSON.stringify({ key, status: r.status, afterMs: Date.now() - t0 })}\n`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
setInterval(() => undefined, 60_000);
