import { join } from 'node:path';
import type { EnvSource } from '../providers/env.js';
import type { ProviderOverrides } from '../providers/registry.js';
import { resolveModels, SAMPLE_TEMPERATURE, withSamples } from '../run/models.js';
import { type EvalFolder, loadEvalFolder } from '../kinds/load-folder.js';
import { type InputIssue, InputError } from '../task/errors.js';
import { folderTable } from '../task/read-table.js';
import { caseRenamedModels, modelsOfAnswersFile, renamedRecordedModels } from './renamed-models.js';
import { kindOf } from '../kinds/registry.js';
import { type BatchModeOptions, runBatchPhase } from './batch-phase.js';
import type { BatchCall, BatchModelSpend } from '../orchestrate/batch/run-batches.js';
import { type RequestOptions, createRequestBuilder } from '../orchestrate/default-request.js';
import { lockFolder } from '../orchestrate/folder-lock.js';
import { type ModelHandle, callKey } from '../orchestrate/orchestrator.js';
import { otherRequestIssue } from '../orchestrate/asked-requests.js';
import { otherPromptsIssue } from '../orchestrate/prompt-keys.js';
import type { AskedPrompt } from '../task/response-checks.js';
import type { TaskItem } from '../task/schema.js';
import { type RecordResult, recordResponses } from '../orchestrate/record.js';
import { type AskedRequest, readRecordedKeys, responseKey } from '../orchestrate/responses-file.js';
import { EXIT_STORAGE } from './errors.js';
import type { CliIo } from './io.js';
import { inShard } from '../util/item-shard.js';
import { type OrchestrationValues, RunSession, readOrchestrationArgs } from './run-session.js';

export interface RecordFolderOptions {
  env?: EnvSource;
  overrides?: ProviderOverrides;
  request?: RequestOptions;
  /** Offline mode (`--batch`): the calls go through the providers' batch APIs first. */
  batch?: BatchModeOptions;
  /** Answers to ask of each model per item (`--samples`; default 1). */
  samples?: number;
  /** The caller's own check of the folder's items (all of them, whatever the shard), run before any call. */
  checkItems?: (items: EvalFolder['items']) => void;
}

/**
 * `fusion eval <folder> --models a,b,c`, first half: completes `<folder>/responses.jsonl` with the
 * answers of every listed model on every item that lacks one (cache, limits, budget, progress and
 * Ctrl-C handled), prints per-model totals on stderr, and returns what happened. The folder can then
 * be evaluated offline as usual; items still missing an answer (failure, budget, interrupt) are
 * absent from responses.jsonl.
 */
export async function recordFolderResponses(
  dir: string,
  modelSpecs: readonly string[],
  values: OrchestrationValues,
  io: Pick<CliIo, 'stderr'>,
  options: RecordFolderOptions = {},
): Promise<RecordResult> {
  // Every item checked as the evaluation checks it (gold labels, choices, duplicate ids) before any call is paid.
  const { task, items: all } = loadEvalFolder(dir, { itemsOnly: true });
  // Answers are appended to responses.jsonl only: one kept as CSV or TSV would be left beside a new
  // responses.jsonl, a folder with two responses files, which every later read refuses.
  const responsesFile = folderTable(dir, 'responses');
  if (responsesFile !== join(dir, 'responses.jsonl')) {
    throw new InputError([{ file: responsesFile, message: '--models appends answers to responses.jsonl: convert this file to JSON Lines (one {"item", "model", "output"} a line) as responses.jsonl first, or evaluate it without --models' }]);
  }
  // Paying for answers already recorded under a model's bare name is said before any call, not found on the bill.
  const recordedNames = modelsOfAnswersFile(responsesFile);
  for (const { spec, recorded } of renamedRecordedModels(recordedNames, modelSpecs)) {
    io.stderr.write(`fusion: warning: ${responsesFile} holds answers of "${recorded}"; --models ${spec} is another name, so every item is asked of it again (to reuse them, write "model": "${spec}" in those lines first)\n`);
  }
  for (const warning of caseRenamedModels(responsesFile, recordedNames, modelSpecs)) io.stderr.write(`fusion: warning: ${warning}\n`);
  const settings = readOrchestrationArgs(values, options.env ?? process.env);
  const { shard } = settings;
  const items = all.filter((item) => !shard || inShard(item.id, shard));
  const knownItems = new Set(all.map((item) => item.id));

  let models: ModelHandle[] = withSamples(resolveModels(modelSpecs, options.env ?? process.env, options.overrides ?? {}), options.samples);
  const sampled = (options.samples ?? 1) > 1 ? { temperature: SAMPLE_TEMPERATURE } : {};
  const buildRequest = createRequestBuilder(task, kindOf(task).prompt, { baseDir: dir, ...sampled, ...options.request });
  options.checkItems?.(all);
  // A shard worker writes nothing into the folder (its answers go to the shared store), so several
  // may share it; the run without --shard that writes responses.jsonl takes the lock.
  const unlock = shard ? () => {} : lockFolder(dir);
  const notify = (message: string): void => void io.stderr.write(`fusion: ${message}\n`);
  let session: RunSession;
  try {
    let maxCostUsd: number | undefined;
    let batchStop: 'budget' | 'interrupted' | undefined;
    let batchSpentUsd = 0;
    let batchSpend: Record<string, BatchModelSpend> = {};
    let batchPaidCalls: ReadonlySet<string> = new Set();
    let cancelledCalls: ReadonlySet<string> = new Set();
    const recorded = refuseOtherRequests(join(dir, 'responses.jsonl'), notify, knownItems, items, models, (item, handle) => callKey(handle, buildRequest(task, item, handle.model)), (path, asked) =>
      otherPromptsIssue(path, asked, task, kindOf(task).prompt, all, { baseDir: dir, ...promptsLocation(options.request) }),
    );
    if (options.batch) {
      const calls: BatchCall[] = [];
      for (const item of items) {
        for (const handle of models) {
          if (recorded.has(responseKey(item.id, handle.name, handle.sample))) continue;
          try {
            calls.push({ handle, request: buildRequest(task, item, handle.model) });
          } catch {
            // A prompt that cannot be built is reported by the live pass, as without --batch.
          }
        }
      }
      const phase = await runBatchPhase(settings, models, calls, io, options.batch);
      if (phase.report.stopReason === 'interrupted') {
        unlock();
        return { alreadyRecorded: 0, recorded: 0, fromCache: 0, failed: [], skipped: calls.length, stopReason: 'interrupted' };
      }
      models = phase.models;
      maxCostUsd = phase.remainingUsd;
      batchSpentUsd = phase.spentUsd;
    batchSpend = phase.spend;
    batchPaidCalls = phase.paidCalls;
      cancelledCalls = phase.cancelledCalls;
      batchStop = phase.report.stopReason;
    }
    session = new RunSession(settings, io, { totalItems: items.length, batchSpentUsd, batchSpend, batchPaidCalls, cancelledCalls, ...(maxCostUsd === undefined ? {} : { maxCostUsd }) });
    // Calls a budget kept out of the batches are not asked live either: only cached answers are written.
    if (batchStop) session.orchestrator.stop('drain', batchStop);
  } catch (e) {
    unlock();
    throw e;
  }
  try {
    session.checkModels(models);
    await session.ready();
    session.handleInterrupts();
    const result = await recordResponses({
      task,
      items,
      models,
      responsesPath: join(dir, 'responses.jsonl'),
      append: !shard,
      orchestrator: session.orchestrator,
      buildRequest,
      onItemDone: () => session.progress.itemDone(),
      notify,
      knownItems,
    });
    session.progress.stop();
    if (shard) {
      io.stderr.write(
        `shard ${shard.index}/${shard.count}: ${items.length} item(s), ${result.recorded} answer(s) in the store (${result.fromCache} already there), ${result.alreadyRecorded} already in responses.jsonl; ` +
          'run the same command without --shard once every worker is done to write responses.jsonl (no call is made again)\n',
      );
    } else io.stderr.write(`recorded ${result.recorded} answer(s) (${result.fromCache} from the cache), ${result.alreadyRecorded} already present\n`);
    for (const f of result.failed.slice(0, 10)) io.stderr.write(`  failed: ${f.model} on ${f.item}: ${f.message}\n`);
    if (result.failed.length > 10) io.stderr.write(`  ... and ${result.failed.length - 10} more failures (re-run to retry them)\n`);
    io.stderr.write(session.summary());
    if (result.unwritten) io.stderr.write(unwrittenMessage(result, settings.cache?.path));
    return result;
  } finally {
    try {
      await session.close();
    } finally {
      unlock();
    }
  }
}

/**
 * Refuses, before any call, answers recorded with another request than the one task.json renders
 * now for the same (item, model, sample): skipped as recorded, they would be evaluated as answers to
 * the new prompt. Then, as the evaluation after the calls would, answers of any model whose prompt
 * task.json no longer renders (`promptIssue`): refused after the calls, they would have been paid
 * for nothing. The file is only read. Returns the (item, model, sample) keys recorded.
 */
function refuseOtherRequests(
  path: string,
  notify: (message: string) => void,
  knownItems: ReadonlySet<string>,
  items: readonly TaskItem[],
  models: readonly ModelHandle[],
  keyOf: (item: TaskItem, handle: ModelHandle) => string,
  promptIssue: (path: string, asked: readonly AskedPrompt[]) => InputIssue | undefined,
): Set<string> {
  const asked = new Map<string, AskedRequest>();
  const prompts: AskedPrompt[] = [];
  const recorded = readRecordedKeys(path, notify, knownItems, asked, prompts);
  const issue =
    otherRequestIssue(path, asked, items, models, (item, handle) => {
      try {
        return keyOf(item, handle);
      } catch {
        return undefined; // a prompt that cannot be built is reported by the run
      }
    }) ?? promptIssue(path, prompts);
  if (issue) throw new InputError([issue]);
  return recorded;
}

/** Where templates are looked up, as the request builder is told. */
function promptsLocation(request: RequestOptions | undefined): Pick<RequestOptions, 'baseDir' | 'promptsDir'> {
  return {
    ...(request?.baseDir === undefined ? {} : { baseDir: request.baseDir }),
    ...(request?.promptsDir === undefined ? {} : { promptsDir: request.promptsDir }),
  };
}

/** What a run that could not write responses.jsonl says: which file, why, where the answers are, how to recover. */
function unwrittenMessage(result: RecordResult, cache: string | undefined): string {
  const u = result.unwritten;
  if (!u) return '';
  const where =
    cache === undefined
      ? 'there is no cache (--no-cache), so they are lost and a re-run pays for them again'
      : (result.unsaved?.count ?? 0) > 0
        ? `the cache ${cache} could not store ${result.unsaved?.count} answer(s) either; those a re-run pays for again, the others it writes from the cache without paying`
        : `they are in the cache ${cache}: make room (or fix the file system) and run the same command again, which writes them from the cache without paying`;
  const skipped = result.skipped > 0 ? `; ${result.skipped} answer(s) were not asked` : '';
  return `fusion: ${u.count} answer(s) received but NOT written to ${u.path} (${u.reason}); ${where}${skipped} (exit status ${EXIT_STORAGE}).\n`;
}
