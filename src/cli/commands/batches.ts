import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BatchJob } from '../../orchestrate/batch/batch-store.js';
import { CACHE_URL_ENV, DEFAULT_CACHE_PATH, openStore, storeKindOf } from '../../orchestrate/cache.js';
import { formatUsd } from '../../orchestrate/progress.js';
import type { EnvSource } from '../../providers/env.js';
import { resolveModels } from '../../run/models.js';
import { UsageError } from '../errors.js';
import { cacheLocation } from '../run-session.js';
import type { CliIo } from '../io.js';
import { didYouMean } from '../usage-hints.js';
import { usdReplacer } from '../../util/usd.js';

export const batchesHelp = `Usage: fusion batches [cancel ID...] [options]

Lists the provider batches that runs with --batch submitted (remembered in the cache database):
status, requests, answers received, failures and cost at batch prices. Open batches are the ones
whose results are not in the cache yet; running the command that submitted them again collects them.

  cancel ID...       ask the provider to cancel these batches (requests it has not run yet are not
                     billed; a later --batch run submits them again)
  --check            ask the providers for the current status of open batches first
  --cache PATH|URL   the cache database: a SQLite file (default ${DEFAULT_CACHE_PATH}, or ${CACHE_URL_ENV})
                     or a postgres:// URL
  --json             one JSON object per batch instead of the table

Where no run made the default cache yet there are no batches (exit 0); a --cache file that does not
exist is a usage error.

Exit status: 0 done; 1 a provider refused a check or a cancel; 2 usage; 5 the store could not be opened
(unreachable, login refused, no such database, newer schema).
`;

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

function table(jobs: readonly BatchJob[]): string {
  const head = ['batch', 'model', 'status', 'requests', 'answered', 'failed', 'cost', 'created'];
  const rows = jobs.map((j) => [
    j.batchId,
    j.model,
    j.collected ? j.status : `${j.status} (open)`,
    String(j.requests),
    String(j.succeeded),
    String(j.failed),
    j.cost === undefined ? `~${formatUsd(j.estimatedCost)}` : formatUsd(j.cost),
    j.createdAt.replace(/\.\d+Z$/, 'Z'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const open = jobs.filter((j) => !j.collected);
  const spent = jobs.reduce((s, j) => s + (j.cost ?? 0), 0);
  const reserved = open.reduce((s, j) => s + j.estimatedCost, 0);
  const total = `${jobs.length} batch(es), ${open.length} open; ${formatUsd(spent)} received at batch prices` + (open.length > 0 ? `, about ${formatUsd(reserved)} more in open batches` : '');
  return `${[row(head, widths), ...rows.map((r) => row(r, widths))].join('\n')}\n${total}\n`;
}

/** `fusion batches`: list, check and cancel the batches of offline runs. `io.env` replaces process.env (tests). */
export async function batchesCommand(argv: string[], io: CliIo & { env?: EnvSource }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cache: { type: 'string' },
      check: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(batchesHelp);
    return 0;
  }
  const [action, ...ids] = positionals;
  if (action !== undefined && action !== 'cancel') throw new UsageError(`unknown action "${action}" (the one action is cancel: fusion batches cancel ID...)${didYouMean(action, ['cancel']) ? '; did you mean cancel?' : ''}\n\n${batchesHelp}`);
  if (action === 'cancel' && ids.length === 0) throw new UsageError('cancel needs at least one batch id');
  const env = io.env ?? process.env;
  const path = cacheLocation(values.cache, env);
  if (storeKindOf(path) === 'sqlite' && !existsSync(path)) {
    // A file the user named must exist (a typo lists nothing, silently, otherwise); the default one
    // is created by the first run, so its absence means only that no run here used --batch yet.
    const named = values.cache !== undefined ? '--cache' : env[CACHE_URL_ENV] ? CACHE_URL_ENV : undefined;
    if (named || action === 'cancel') throw new UsageError(`no cache database at ${path}${named ? ` (named by ${named})` : ''}: no batches to ${action === 'cancel' ? 'cancel' : 'list'} there`);
    if (!values.json) io.stdout.write(`no batches: no cache database at ${path} yet (runs with --batch create it)\n`);
    return 0;
  }
  const cache = openStore(path, { read: true, write: false });
  const store = cache.batches;
  let failures = 0;
  try {
    const apiOf = (job: BatchJob) => {
      const api = resolveModels([job.model], env)[0]?.model.batch;
      if (!api) throw new UsageError(`${job.model} has no batch API`);
      return api;
    };
    await cache.ready();
    const targets = action === 'cancel' ? await Promise.all(ids.map(async (id) => (await store.get(id)) ?? id)) : values.check ? (await store.list()).filter((j) => !j.collected) : [];
    for (const target of targets) {
      if (typeof target === 'string') throw new UsageError(`no batch ${target} in ${cache.location}`);
      try {
        const api = apiOf(target);
        const info = action === 'cancel' ? await api.cancel(target.batchId) : await api.retrieve(target.batchId);
        await store.update(info);
        if (action === 'cancel') io.stderr.write(`fusion: ${target.batchId}: ${info.status}\n`);
      } catch (error) {
        if (error instanceof UsageError) throw error;
        failures++;
        io.stderr.write(`fusion: ${target.batchId}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    const jobs = await store.list();
    if (values.json) io.stdout.write(jobs.map((j) => `${JSON.stringify(j, usdReplacer)}\n`).join(''));
    else io.stdout.write(jobs.length === 0 ? `no batches in ${cache.location}\n` : table(jobs));
    // Creates whose answer never came: the batch may exist at the provider, paid; the next --batch run looks it up.
    const intents = await store.intents();
    if (intents.length > 0 && !values.json) {
      io.stdout.write(`${intents.length} batch create(s) not confirmed by the provider (${intents.map((i) => `${i.model}, ${i.requests} request(s), ${i.createdAt.replace(/\.\d+Z$/, 'Z')}`).join('; ')}): run the --batch command again to look them up (nothing is created twice; where several batches at the provider could be one of them, it is told by their results once they have ended, and the run says which are still running)\n`);
    }
  } finally {
    await cache.close();
  }
  return failures > 0 ? 1 : 0;
}
