import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { runBatchPhase } from '../batch-phase.js';
import { onStopSignals } from '../signals.js';
import { runBatchRounds } from '../batch-rounds-phase.js';
import { BATCH_ARGS, batchHelp, readBatchArgs } from '../batch-args.js';
import type { BatchCall, BatchModelSpend } from '../../orchestrate/batch/run-batches.js';
import { createRequestBuilder } from '../../orchestrate/default-request.js';
import { ORCHESTRATION_ARGS, RunSession, orchestrationHelp, readOrchestrationArgs } from '../run-session.js';
import type { EnvSource } from '../../providers/env.js';
import { handlesOfPolicy, resolveModels, SAMPLE_TEMPERATURE, samplesOfOrder, splitModelList, withSamples } from '../../run/models.js';
import { KINDS, kindOf } from '../../kinds/registry.js';
import { flagKindsHelp } from '../flag-kinds.js';
import { fittedModels, namedAs } from '../../run/fitted-models.js';
import { runPipeline } from '../../run/pipeline.js';
import { itemsOfTable } from '../../run/table-items.js';
import { DEFAULT_BATCH_SIZE, chooseStrategy } from '../../run/strategy-choice.js';
import { loadTaskFile } from '../../kinds/load-folder.js';
import type { TaskItem } from '../../task/schema.js';
import { EXIT_BUDGET, EXIT_CALLS_FAILED, EXIT_STORAGE, UsageError } from '../errors.js';
import { strategyFlagError } from '../usage-hints.js';
import type { CliIo } from '../io.js';
import { numericOption } from '../numeric-option.js';
import { type Shard, inShard } from '../../util/item-shard.js';
import { flagPath, refuseOutputsOverInputs } from '../output-paths.js';
import { existsSync } from 'node:fs';
import { OutputTakenError, TABLE_ARGS, dashIsStdio, inputFormat, openInput, openOutput, outputFormat, readColumnArgs, refuseExistingOutput, tableHelp } from '../table-args.js';

export const runHelp = `Usage: fusion run --task task.json --models m1,m2,... [options] < items.jsonl > out.jsonl
       fusion run --task task.json --models ... --input reviews.csv --text-column review_text --output fused.csv

Asks every model about every item of a stream (JSON Lines on stdin, or --input FILE: JSONL, CSV, TSV)
and writes one output line per input line (JSON Lines, or a CSV/TSV row), in input order, in bounded
memory. A bad input line is reported on stderr as stdin:LINE: ... (or FILE:LINE) and gets an
{"line", "error"} output line (with its "id" when one could be read).

${KINDS.map((k) => k.runHelp).join('\n')}
A line without an answer says why in "abstain" (the abstain column of CSV/TSV): "no-answer" (no
model gave a readable answer; each answer's own "abstain" says why: empty, refusal, out-of-set,
error...) or "no-consensus" (--min-confidence).

Options:
  --task FILE        the task (classification labels or QA answer type, instructions, optional prompt template)
  --models LIST      comma-separated provider:model specs, e.g. openai:gpt-4o-mini,ollama:llama3.1
                     (default: the models a saved --strategy was fitted on). A fitted model is
                     matched by its exact name, then by the model part of provider:model when
                     that points one way; a fitted model no spec stands for is an error (exit 2)
  --model-map MAP    recorded=provider:model,... : which live model a name the saved strategy was
                     fitted with stands for (recorded sets name models as the provider reported
                     them, e.g. gpt-4o-mini-2024-07-18=openai:gpt-4o-mini-2024-07-18); NAME=-
                     runs without that model (its answers count as abstentions)
  --strategy S       a saved strategy file from "fusion fit" on a folder of the same kind, or an
                     unsupervised built-in of the task's kind (batch ones refitted on each batch of
                     --batch-size items):
${KINDS.map((k) => k.strategyHelp).join('\n')}
  --batch-size N     items per refit for batch strategies (default ${DEFAULT_BATCH_SIZE}; was --batch N,
                     which still works for one release)
  --min-confidence P no answer (abstain "no-consensus") when the fused winner's probability is below P
                     (pick P from the risk-coverage table of fusion eval)
${flagKindsHelp('--min-confidence')}
  --max-calls-per-item N  never make more than N calls about an item (each sample is a call): a
                     saved adaptive policy (fusion fit --strategy adaptive) stops there (or at its
                     last checkpoint below N, where a fusion was fitted), any other
                     strategy asks the first N calls of --models. A saved adaptive policy asks the
                     models (and samples) it was fitted with, no others, in its order,
                     one wave at a time, and only until its rule settles the item; each output line
                     then has "asked" (models asked) and "stopped" (settled, confident, all-asked,
                     max-calls; text: decided from the item's text before any call, asked 0;
                     interrupted or budget when the run stopped calls first)
  --samples N        ask each model N times per item (self-consistency, at temperature 0.7 instead
                     of 0 when N > 1): each sample is its own call (its own cache entry; a re-run
                     pays nothing twice) and its own entry in "answers" ("sample"); strategies
                     average a model's samples (it votes once). A saved adaptive policy fitted on
                     a folder with samples asks them one at a time, only as needed (default: 1,
                     or the samples per model such a policy was fitted with)
  --window N         items held in memory at most (default max(64, 4 x concurrency, 2 x batch))
  --json-answers     ask for JSON answers with a schema instead of a bare label or answer
${tableHelp}
${orchestrationHelp}
${batchHelp}With --batch, run reads all of stdin first, waits for the batches, then writes every line. With a
saved adaptive policy (--strategy policy.json) the batches go in rounds: round 1 holds every item's
first wave, round k only the next wave of the items the policy has not settled yet.

Exit status: 0 done; 1 some input lines were bad; 2 bad usage, task or limits (also: another run wrote
--output first; this run's lines are kept under the partial name it prints, after its summary); 3 stopped by --max-cost;
4 some calls failed after all retries (their models count as abstaining; a re-run retries only those);
5 the response cache could not be opened, read or written (a store that cannot be reached, refuses the login,
has no such database or was written by a newer llm-fusion stops the run before any call; answers received
are still in the output); 130 interrupted.
`;

/**
 * `--batch N` named the refit size of batch strategies before `--batch` came to mean the providers'
 * batch APIs: a number after it (or `--batch=N`) is still read as `--batch-size N`, with a note.
 */
function legacyBatchSize(argv: readonly string[], io: Pick<CliIo, 'stderr'>): string[] {
  const out: string[] = [];
  const note = (): void => {
    io.stderr.write('fusion: note: "--batch N" is now "--batch-size N" (the old spelling works until the next release); "--batch" alone asks the providers\' batch APIs\n');
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const inline = /^--batch=(.*)$/.exec(arg);
    const next = argv[i + 1];
    if (inline) {
      note();
      out.push('--batch-size', inline[1] ?? '');
    } else if (arg === '--batch' && next !== undefined && /^\d+$/.test(next)) {
      note();
      out.push('--batch-size', next);
      i++;
    } else out.push(arg);
  }
  return out;
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The whole input, or undefined when a stop signal comes first (also one that came while the
 * command was starting): a producer that has not finished writing must not keep Ctrl-C waiting,
 * and nothing has been asked yet.
 */
async function readAllUnlessStopped(input: Readable): Promise<string | undefined> {
  let stopListening = (): void => undefined;
  const stopped = new Promise<undefined>((resolve) => {
    stopListening = onStopSignals(() => resolve(undefined));
  });
  try {
    const text = await Promise.race([readAll(input), stopped]);
    if (text === undefined) input.destroy();
    return text;
  } finally {
    stopListening();
  }
}

/** A line of this worker's shard: by its id; a line without a readable id is reported by worker 0 only. */
function shardFilter(shard: Shard): (id: string | undefined) => boolean {
  return (id) => (id === undefined ? shard.index === 0 : inShard(id, shard));
}

/** `fusion run`: the streaming pipeline. `io.env` replaces process.env (tests). */
export async function runCommand(argv: string[], io: CliIo & { env?: EnvSource }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: legacyBatchSize(argv, io),
    allowPositionals: true,
    options: {
      task: { type: 'string' },
      models: { type: 'string' },
      strategy: { type: 'string' },
      'batch-size': { type: 'string' },
      window: { type: 'string' },
      'min-confidence': { type: 'string' },
      'max-calls-per-item': { type: 'string' },
      samples: { type: 'string' },
      'json-answers': { type: 'boolean', default: false },
      'model-map': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      ...ORCHESTRATION_ARGS,
      ...BATCH_ARGS,
      ...TABLE_ARGS,
    },
  });
  if (values.help) {
    io.stdout.write(runHelp);
    return 0;
  }
  dashIsStdio(values);
  if (positionals.length > 0) throw new UsageError(`run reads items from stdin; unexpected argument "${positionals[0]}"\n\n${runHelp}`);
  if (values.task === undefined) throw new UsageError(`run needs --task task.json\n\n${runHelp}`);
  // --output is checked here, before any call or batch is paid, not when the first line is written.
  refuseExistingOutput(values);
  const strategyFile = values.strategy !== undefined && existsSync(values.strategy) ? flagPath('strategy', values.strategy) : undefined;
  refuseOutputsOverInputs(
    [values['no-cache'] ? undefined : flagPath('cache', values.cache), flagPath('output', values.output)],
    [flagPath('task', values.task), strategyFile, flagPath('prices', values.prices), flagPath('limits', values.limits)],
  );
  const task = loadTaskFile(values.task);
  const batch = numericOption('batch-size', values['batch-size'], 'positive integer');
  const offline = readBatchArgs(values);
  const window = numericOption('window', values.window, 'positive integer');
  const maxCalls = numericOption('max-calls-per-item', values['max-calls-per-item'], 'positive integer');
  const minConfidence = numericOption('min-confidence', values['min-confidence'], 'probability');
  const floorRefused = kindOf(task).refusedFlags['--min-confidence'];
  if (minConfidence !== undefined && floorRefused !== undefined) throw new UsageError(`--min-confidence: ${floorRefused}`);
  const limits = { ...(maxCalls === undefined ? {} : { maxCalls }), ...(minConfidence === undefined ? {} : { minConfidence }) };
  let fuser;
  try {
    fuser = chooseStrategy(values.strategy, task, batch ?? DEFAULT_BATCH_SIZE, limits);
  } catch (e) {
    // A strategy named on the command line that this run cannot use (one that must be fitted first): a usage error.
    throw strategyFlagError(e, '--strategy', values.strategy, kindOf(task).unsupervisedNames(task));
  }
  const given = values.models !== undefined ? splitModelList(values.models) : undefined;
  const match = fittedModels(fuser, given, values['model-map']);
  // An adaptive policy caps itself; any other strategy is capped by asking only the first models.
  const cap = maxCalls !== undefined && !fuser.policy ? maxCalls : match.specs.length;
  const specs = match.specs.slice(0, cap);
  if (specs.length === 0) throw new UsageError(`run needs --models (e.g. --models openai:gpt-4o-mini,ollama:llama3.1)\n\n${runHelp}`);
  // A policy fitted on samples asks up to as many as it was fitted with, unless told otherwise.
  const samples = numericOption('samples', values.samples, 'positive integer') ?? samplesOfOrder(fuser.policy?.order);
  let models = withSamples(namedAs(resolveModels(specs, io.env ?? process.env), match.names), samples);
  if (maxCalls !== undefined && !fuser.policy) models = models.slice(0, maxCalls);
  if (fuser.policy) {
    const fitted = handlesOfPolicy(models, fuser.policy.order);
    if (fitted.dropped.length > 0) io.stderr.write(`fusion: warning: the adaptive policy was not fitted with ${fitted.dropped.join(', ')}; not asked\n`);
    models = fitted.handles;
  }
  if (fuser.models) {
    const absent = fuser.models.filter((m) => !models.some((h) => h.name === m));
    if (absent.length > 0) io.stderr.write(`fusion: warning: the strategy was fitted with ${absent.join(', ')}, not asked here; their answers count as abstentions\n`);
    const fitted = fuser.models;
    const unseen = kindOf(task).unseenModelsWeighNeutral ? models.filter((h) => !fitted.includes(h.name)).map((h) => h.name) : [];
    if (unseen.length > 0) io.stderr.write(`fusion: warning: the strategy was not fitted with ${unseen.join(', ')}; their answers get a neutral weight\n`);
  }
  const buildRequest = createRequestBuilder(task, kindOf(task).prompt, { baseDir: dirname(values.task), format: values['json-answers'] ? 'json' : 'text', ...(samples > 1 ? { temperature: SAMPLE_TEMPERATURE } : {}) });
  const settings = readOrchestrationArgs(values, io.env ?? process.env);
  const format = inputFormat(values);
  // Forgetting `< items.jsonl` would otherwise wait on the terminal in silence.
  if (values.input === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) {
    io.stderr.write(`fusion run: reading items from the terminal, one ${format === 'jsonl' ? 'JSON object' : `${format.toUpperCase()} row`} a line (Ctrl-D ends); to read a file: --input FILE or < items.jsonl\n`);
  }
  const opened = openInput(values, io.stdin);
  let input: Readable = opened.input;
  let maxCostUsd: number | undefined;
  let batchStop: 'budget' | 'interrupted' | undefined;
  let batchSpentUsd = 0;
  let batchSpend: Record<string, BatchModelSpend> = {};
  let batchPaidCalls: ReadonlySet<string> = new Set();
  let cancelledCalls: ReadonlySet<string> = new Set();
  if (offline) {
    // Offline mode: all input first, so every call can go into the batches; the pipeline then reads the same text.
    const text = await readAllUnlessStopped(input);
    if (text === undefined) {
      io.stderr.write('fusion run: interrupted while reading the input; nothing was asked\n');
      return 130;
    }
    // The items as the pipeline will read them, so that the batches ask exactly the calls it makes.
    const kind = kindOf(task).run(task);
    // A saved adaptive policy: the batches go in rounds, each asking only the items not settled yet.
    const policy = fuser.policy;
    const calls: BatchCall[] = [];
    const items: TaskItem[] = [];
    // JSON Lines, CSV or TSV, columns as chosen: the rows the pipeline refuses are reported by it.
    for (const item of itemsOfTable(text, format, opened.name, readColumnArgs(values), kind.schema)) {
      if (settings.shard && !inShard(item.id, settings.shard)) continue;
      if (policy) {
        items.push(item);
        continue;
      }
      for (const handle of models) {
        try {
          calls.push({ handle, request: buildRequest(task, item, handle.model) });
        } catch {
          // a prompt that cannot be built is reported by the pipeline
        }
      }
    }
    const phase =
      policy
        ? await runBatchRounds(settings, models, { task, items, buildRequest, policy, readerOf: (item, names) => kind.read(item, names) }, io, offline)
        : await runBatchPhase(settings, models, calls, io, offline);
    if (phase.report.stopReason === 'interrupted') return 130;
    models = phase.models;
    maxCostUsd = phase.remainingUsd;
    batchSpentUsd = phase.spentUsd;
    batchSpend = phase.spend;
    batchPaidCalls = phase.paidCalls;
    cancelledCalls = phase.cancelledCalls;
    batchStop = phase.report.stopReason;
    input = Readable.from([text]);
  }
  const sink = openOutput(values, io.stdout);
  let session: RunSession;
  try {
    session = new RunSession(settings, io, { batchSpentUsd, batchSpend, batchPaidCalls, cancelledCalls, ...(maxCostUsd === undefined ? {} : { maxCostUsd }) });
  } catch (e) {
    await sink.abandon();
    throw e;
  }
  if (batchStop) session.orchestrator.stop('drain', batchStop);
  try {
    session.checkModels(models);
    await session.ready();
    session.handleInterrupts();
    const common = {
      models,
      orchestrator: session.orchestrator,
      buildRequest,
      input,
      output: sink.output,
      inputName: opened.name,
      format,
      outputFormat: outputFormat(values, format),
      columns: readColumnArgs(values),
      errors: io.stderr,
      ...(window === undefined ? {} : { window }),
      onItemDone: () => session.progress.itemDone(),
      ...(settings.shard ? { keep: shardFilter(settings.shard) } : {}),
    };
    const result = await runPipeline({ ...common, task, fuser });
    const stop = session.orchestrator.stopReason;
    const interrupted = stop === 'interrupted' || result.interrupted;
    // A run stopped short (interrupted: lines missing; budget: answers missing) is not done: --output
    // keeps its name free for the same command run again, which resumes from the cache.
    const failure = sink.failure();
    // Another run took --output's name meanwhile: this run's lines stay under the partial name, and it still says what it did.
    let taken: OutputTakenError | undefined;
    const kept =
      interrupted || stop === 'budget' || failure
        ? await sink.abandon()
        : await sink.close().then(
            () => undefined,
            (e: unknown) => {
              if (!(e instanceof OutputTakenError)) throw e;
              taken = e;
              return e.partial;
            },
          );
    session.progress.stop();
    if (failure) {
      // --output could not be written (disk full): not a reader gone away; the answers are in the cache.
      io.stderr.write(`fusion run: --output ${values.output ?? ''} could not be written (${failure.message})${kept ? `; the lines written are in ${kept}` : ''}; the answers received are in the cache: run the same command again once there is room\n`);
      io.stderr.write(session.summary());
      return EXIT_STORAGE;
    }
    if (result.outputClosed) return 0;
    io.stderr.write(`fusion run: ${result.lines} line(s) written, ${result.badLines} bad input line(s), ${result.undecided} undecided\n`);
    if (taken) io.stderr.write(`fusion run: ${taken.message}\n`);
    else if (kept !== undefined) io.stderr.write(`fusion run: ${interrupted ? 'interrupted' : 'stopped by --max-cost'}: ${values.output ?? ''} not written; the lines so far are in ${kept}\n`);
    io.stderr.write(session.summary());
    if (taken) return 2;
    if (interrupted) return 130;
    if (stop === 'budget') return EXIT_BUDGET;
    if (session.orchestrator.unsavedAnswers.count > 0) return EXIT_STORAGE;
    if (session.orchestrator.stats().total.failures > 0) return EXIT_CALLS_FAILED;
    return result.badLines > 0 ? 1 : 0;
  } finally {
    // A run that failed before its last line leaves its lines under the partial name, never a cut --output.
    await sink.abandon();
    await session.close();
  }
}
