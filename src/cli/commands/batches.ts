import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { abandonIntent } from '../../orchestrate/batch/abandon-intent.js';
import { adoptBatch } from '../../orchestrate/batch/adopt-intent.js';
import type { BatchIntent, BatchJob, BatchStore } from '../../orchestrate/batch/batch-store.js';
import type { BatchApi } from '../../providers/provider.js';
import { CACHE_URL_ENV, DEFAULT_CACHE_PATH, openStore, storeKindOf } from '../../orchestrate/cache.js';
import { formatUsd } from '../../orchestrate/progress.js';
import type { EnvSource } from '../../providers/env.js';
import { resolveModels } from '../../run/models.js';
import { UsageError } from '../errors.js';
import { cacheLocation } from '../run-session.js';
import type { CliIo } from '../io.js';
import { didYouMean } from '../usage-hints.js';
import { usdReplacer } from '../../util/usd.js';

export const batchesHelp = `Usage: fusion batches [cancel ID... | abandon TOKEN... | adopt TOKEN BATCH_ID] [options]

Lists the provider batches that runs with --batch submitted (remembered in the cache database):
status, requests, answers received, failures and cost at batch prices. Open batches are the ones
whose results are not in the cache yet; running the command that submitted them again collects them.

  cancel ID...       ask the provider to cancel these batches (requests it has not run yet are not
                     billed; a later --batch run submits them again)
  abandon TOKEN...   give up these batch creates not confirmed by the provider (the token listed
                     below the table), whose batch the provider's list cannot tell: the next --batch
                     run asks their calls again (live or in a new batch). The provider is asked
                     first; refused while their run still runs, while a batch of their size still
                     runs at the provider, or when one's results name their calls (then the next
                     run collects it, or they were answered there). Kept on record (listed here)
  adopt TOKEN BATCH_ID
                     name the batch of a create not confirmed by the provider when the results of
                     several ended batches name its calls (check the provider's console for the one
                     this create made): it is recorded as the create's, and the next --batch run
                     collects its answers, asking nothing again. The provider is asked first;
                     refused unless BATCH_ID is one of those batches and its results name every call
                     of the create
  --check            ask the providers for the current status of open batches first
  --cache PATH|URL   the cache database: a SQLite file (default ${DEFAULT_CACHE_PATH}, or ${CACHE_URL_ENV})
                     or a postgres:// URL
  --json             one JSON object per batch instead of the table

Where no run made the default cache yet there are no batches (exit 0); a --cache file that does not
exist is a usage error.

Exit status: 0 done; 1 a provider refused a check or a cancel, or an abandon or adopt was refused; 2 usage;
5 the store could not be opened (unreachable, login refused, no such database, newer schema).
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

/**
 * `fusion batches abandon TOKEN...`: every token checked first (a typo abandons nothing), then each
 * intent abandoned or refused with the reason. Returns how many were not abandoned.
 */
async function abandon(tokens: readonly string[], store: BatchStore, apiOf: (model: string) => BatchApi, location: string, io: CliIo): Promise<number> {
  const open = await store.intents();
  // A token named twice is abandoned once: a second pass would find it gone and say a run resolved it.
  const intents = [...new Set(tokens)].map((token) => open.find((i) => i.token === token) ?? token);
  for (const intent of intents) if (typeof intent === 'string') throw new UsageError(`no unconfirmed batch create ${intent} in ${location} (fusion batches lists them, with their tokens)`);
  let refused = 0;
  for (const intent of intents as (BatchIntent & { live: boolean })[]) {
    try {
      const outcome = await abandonIntent(store, apiOf(intent.model), intent);
      if (outcome.status === 'abandoned') io.stderr.write(`fusion: ${intent.token}: abandoned (${outcome.note}); the next --batch run asks its ${intent.requests} call(s) of ${intent.model} again\n`);
      else if (outcome.status === 'unknown') io.stderr.write(`fusion: ${intent.token}: a run resolved it meanwhile; nothing abandoned\n`);
      else {
        refused++;
        io.stderr.write(`fusion: ${intent.token}: not abandoned: ${outcome.why}\n`);
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      refused++;
      io.stderr.write(`fusion: ${intent.token}: the provider's batches could not be looked up (${error instanceof Error ? error.message : String(error)}); nothing abandoned\n`);
    }
  }
  return refused;
}

/**
 * `fusion batches adopt TOKEN BATCH_ID`: the intent checked first (a typo adopts nothing), then
 * BATCH_ID recorded as its batch or refused with the reason. Returns 1 when not adopted.
 */
async function adopt(token: string, batchId: string, store: BatchStore, apiOf: (model: string) => BatchApi, location: string, io: CliIo): Promise<number> {
  const intent = (await store.intents()).find((i) => i.token === token);
  if (intent === undefined) throw new UsageError(`no unconfirmed batch create ${token} in ${location} (fusion batches lists them, with their tokens)`);
  try {
    const outcome = await adoptBatch(store, apiOf(intent.model), intent, batchId);
    if (outcome.status === 'adopted') {
      io.stderr.write(`fusion: ${token}: adopted batch ${batchId} (${outcome.batch.status}); the next --batch run collects its answers to the ${intent.requests} call(s) of ${intent.model}, asking nothing again\n`);
      return 0;
    }
    io.stderr.write(outcome.status === 'unknown' ? `fusion: ${token}: a run resolved it meanwhile; nothing adopted\n` : `fusion: ${token}: not adopted: ${outcome.why}\n`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    io.stderr.write(`fusion: ${token}: the provider's batches could not be looked up (${error instanceof Error ? error.message : String(error)}); nothing adopted\n`);
  }
  return 1;
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
  if (action !== undefined && action !== 'cancel' && action !== 'abandon' && action !== 'adopt') {
    const near = didYouMean(action, ['cancel', 'abandon', 'adopt']);
    throw new UsageError(`unknown action "${action}" (the actions are cancel, abandon and adopt: fusion batches cancel ID..., fusion batches abandon TOKEN..., fusion batches adopt TOKEN BATCH_ID)${near ? `; did you mean ${near}?` : ''}\n\n${batchesHelp}`);
  }
  if (action === 'cancel' && ids.length === 0) throw new UsageError('cancel needs at least one batch id');
  if (action === 'abandon' && ids.length === 0) throw new UsageError('abandon needs at least one token (listed by fusion batches below the table)');
  if (action === 'adopt' && ids.length !== 2) throw new UsageError(`adopt needs a token (listed by fusion batches below the table) and the id of the batch that create made, got ${ids.length} argument(s): fusion batches adopt TOKEN BATCH_ID`);
  const env = io.env ?? process.env;
  const path = cacheLocation(values.cache, env);
  if (storeKindOf(path) === 'sqlite' && !existsSync(path)) {
    // A file the user named must exist (a typo lists nothing, silently, otherwise); the default one
    // is created by the first run, so its absence means only that no run here used --batch yet.
    const named = values.cache !== undefined ? '--cache' : env[CACHE_URL_ENV] ? CACHE_URL_ENV : undefined;
    if (named || action !== undefined) throw new UsageError(`no cache database at ${path}${named ? ` (named by ${named})` : ''}: no batches to ${action ?? 'list'} there`);
    if (!values.json) io.stdout.write(`no batches: no cache database at ${path} yet (runs with --batch create it)\n`);
    return 0;
  }
  const cache = openStore(path, { read: true, write: false });
  const store = cache.batches;
  let failures = 0;
  try {
    const apiOf = (model: string) => {
      const api = resolveModels([model], env)[0]?.model.batch;
      if (!api) throw new UsageError(`${model} has no batch API`);
      return api;
    };
    await cache.ready();
    if (action === 'abandon') failures += await abandon(ids, store, apiOf, cache.location, io);
    if (action === 'adopt') failures += await adopt(ids[0] as string, ids[1] as string, store, apiOf, cache.location, io);
    const targets = action === 'cancel' ? await Promise.all(ids.map(async (id) => (await store.get(id)) ?? id)) : values.check ? (await store.list()).filter((j) => !j.collected) : [];
    for (const target of targets) {
      if (typeof target === 'string') throw new UsageError(`no batch ${target} in ${cache.location}`);
      try {
        const api = apiOf(target.model);
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
      io.stdout.write(`${intents.length} batch create(s) not confirmed by the provider (${intents.map((i) => `${i.model}, ${i.requests} request(s), ${i.createdAt.replace(/\.\d+Z$/, 'Z')}, token ${i.token}`).join('; ')}): run the --batch command again to look them up (nothing is created twice; where several batches at the provider could be one of them, it is told by their results once they have ended, and the run says which are still running); one whose candidates have all ended and none of which names its calls stays pending until you give it up with fusion batches abandon TOKEN, and one whose calls the results of several ended batches name, until you name its batch with fusion batches adopt TOKEN BATCH_ID\n`);
    }
    const abandoned = await store.abandonedIntents();
    if (abandoned.length > 0 && !values.json) {
      io.stdout.write(`${abandoned.length} batch create(s) abandoned (${abandoned.map((i) => `${i.model}, ${i.requests} request(s), created ${i.createdAt.replace(/\.\d+Z$/, 'Z')}, token ${i.token}, abandoned ${i.abandonedAt.replace(/\.\d+Z$/, 'Z')}: ${i.note}`).join('; ')})\n`);
    }
  } finally {
    await cache.close();
  }
  return failures > 0 ? 1 : 0;
}
