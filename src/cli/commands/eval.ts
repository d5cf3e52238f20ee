import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evalResultJson } from '../../eval/eval-result.js';
import { drawLeaderboard } from '../../eval/leaderboard-table.js';
import { FoldsError } from '../../eval/folds-error.js';
import { kindOf } from '../../kinds/registry.js';
import { flagKindsHelp } from '../flag-kinds.js';
import { modelCosts, renderHtmlReport } from '../../report/index.js';
import { BATCH_ARGS, batchHelp, readBatchArgs } from '../batch-args.js';
import { splitModelList } from '../../run/models.js';
import { itemTexts } from '../../task/item-text.js';
import { type EvalFolder, checkIsEvalFolder, loadTaskFile } from '../../task/load-folder.js';
import { folderTable } from '../../task/read-table.js';
import { loadRecordedFolder } from '../../run/recorded-prompts.js';
import { EXIT_BUDGET, EXIT_CALLS_FAILED, EXIT_STORAGE, UsageError } from '../errors.js';
import { didYouMean } from '../usage-hints.js';
import type { CliIo } from '../io.js';
import { numericOption } from '../numeric-option.js';
import { afterRecording } from '../fold-check.js';
import { foldsShortfall } from '../../kinds/fold-shortfall.js';
import { ProgressLine } from '../progress-line.js';
import { noGoldMessage } from '../no-gold.js';
import { recordFolderResponses } from '../record-folder.js';
import { ORCHESTRATION_ARGS, orchestrationHelp } from '../run-session.js';
import { flagPath, refuseOutputsOverInputs } from '../output-paths.js';
import { refuseForeignOutputs } from '../own-outputs.js';
import { writeFileAtomic } from '../../task/safe-write.js';
import { usdReplacer } from '../../util/usd.js';

export const evalHelp = `Usage: fusion eval <folder> [options]

Scores every model and every fusion strategy on a labelled eval folder (task.json, items.jsonl,
responses.jsonl), classification, QA or rating. Strategies that learn from labels are scored out-of-fold.
Answers recorded by --models carry the key of their prompt (promptKey): those asked with a prompt
task.json no longer renders (instructions, labels, scale, template edited since) are refused before
anything is written, exit 2 (put task.json back, or move responses.jsonl aside and ask again).

Options:
  --folds N          cross-validation folds for strategies that learn (default 5)
  --seed N           seed for folds and anything random (default 1)
  --strategies LIST  comma-separated strategy names (default: all)
  --json FILE        write the whole result as JSON
  --report FILE.md   write a Markdown report
  --html FILE.html   write a self-contained HTML report (charts, 95% intervals, AUC, paired test);
                     its data also goes into --json under "report"
  --explain N        explain N contested decisions per strategy, model by model (QA answers named by
                     their cluster; in --json for every strategy, in --report for the best one)
${flagKindsHelp('--explain')}
  --explain-strategy NAME  the strategy the report explains (default: the best one)
  --quiet            print nothing on stdout
  --models LIST      first ask these provider:model specs (e.g. openai:gpt-4o-mini,ollama:llama3.1)
                     for every item they have no answer for in responses.jsonl, appending the
                     answers there, then evaluate as usual
                     (each line records its request; answers asked with another prompt or
                     settings than task.json gives now are refused before any call, exit 2)
  --samples N        with --models: ask each model N times per item (self-consistency, at
                     temperature 0.7 instead of 0 when N > 1); each sample is its own
                     call and its own line ("sample": 0..N-1); strategies average a model's
                     samples (it votes once), the adaptive policy asks them one at a time
  With --models --shard K/N: only this worker's share of the items is asked, into the shared --cache;
  nothing is written to the folder and nothing is evaluated. Once every worker is done, the same
  command without --shard finds every answer in the store (no call) and writes responses.jsonl.
  The folds are fitted on worker threads: FUSION_THREADS=N sets how many (1: the main thread only;
  default: as many as spread the folds evenly over the cores); the result is the same on any number.

${orchestrationHelp}
${batchHelp}
Exit status: 0 done; 2 bad input or usage (or the folder is in use by another run); 3 stopped by
--max-cost (the answers recorded so far are evaluated; the same command resumes); 4 some calls to
--models failed after all retries (evaluated without them; a re-run retries only those);
5 answers paid for could not be saved (the cache or responses.jsonl: disk full, I/O error), or the
--cache store could not be opened (unreachable, login refused, no such database, newer schema: before any call);
130 interrupted while asking models (answers so far are kept).
`;

export async function evalCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      folds: { type: 'string' },
      seed: { type: 'string' },
      strategies: { type: 'string' },
      json: { type: 'string' },
      report: { type: 'string' },
      html: { type: 'string' },
      explain: { type: 'string' },
      'explain-strategy': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      models: { type: 'string' },
      samples: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      ...ORCHESTRATION_ARGS,
      ...BATCH_ARGS,
    },
  });
  if (values.help) {
    io.stdout.write(evalHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`eval takes one folder\n\n${evalHelp}`);
  const dir = positionals[0] as string;
  const folds = numericOption('folds', values.folds, 'non-negative integer') ?? 5;
  if (folds < 2) throw new UsageError('--folds must be at least 2');
  const seed = numericOption('seed', values.seed, 'non-negative integer') ?? 1;
  const explain = numericOption('explain', values.explain, 'non-negative integer') ?? 0;
  const strategies = values.strategies?.split(',').map((s) => s.trim()).filter(Boolean);
  refuseOutputsOverInputs(
    [flagPath('json', values.json), flagPath('html', values.html), flagPath('report', values.report), values.models !== undefined && !values['no-cache'] ? flagPath('cache', values.cache) : undefined],
    [...['task.json', 'items.jsonl', 'responses.jsonl'].map((f) => ({ what: 'the folder\'s', path: join(dir, f) })), flagPath('prices', values.prices), flagPath('limits', values.limits)],
  );

  refuseForeignOutputs([
    { flag: '--json', path: values.json, kind: 'eval-json' },
    { flag: '--html', path: values.html, kind: 'html-report' },
    { flag: '--report', path: values.report, kind: 'markdown-report' },
  ]);
  // Strategy names are checked before any model is asked: a typo must not come after the calls are paid.
  checkIsEvalFolder(dir);
  const task = loadTaskFile(join(dir, 'task.json'));
  const known = kindOf(task).strategyNames(task);
  const unknown = (strategies ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const guesses = unknown.flatMap((n) => didYouMean(n, known) ?? []);
    throw new UsageError(`unknown strategy ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${known.join(', ')})${guesses.length > 0 ? `; did you mean ${guesses.join(', ')}?` : ''}`);
  }
  const refusals = (strategies ?? []).flatMap((n) => kindOf(task).refusal(task, n) ?? []);
  if (refusals.length > 0) throw new UsageError(`--strategies: ${refusals.join('; ')}`);
  const explainStrategy = values['explain-strategy'];
  const cannotExplain = kindOf(task).refusedFlags['--explain'];
  if (cannotExplain !== undefined && (explain > 0 || explainStrategy !== undefined)) throw new UsageError(`${explain > 0 ? '--explain' : '--explain-strategy'}: ${cannotExplain}`);
  if (explainStrategy !== undefined && !(strategies ?? known).includes(explainStrategy)) {
    throw new UsageError(`--explain-strategy ${explainStrategy}: not among the strategies of this run (${(strategies ?? known).join(', ')})`);
  }

  let callsFailed = 0;
  let unsaved = 0;
  let budgetStopped = false;
  const batch = readBatchArgs(values);
  if (batch && values.models === undefined) throw new UsageError('--batch applies to --models (asking models first)');
  if (values.samples !== undefined && values.models === undefined) throw new UsageError('--samples applies to --models (asking models first)');
  if (values.shard !== undefined && values.models === undefined) throw new UsageError('--shard applies to --models (asking models first)');
  // A shard worker only fills the store and evaluates nothing: a report asked of it would silently never be written.
  const reports = (['json', 'html', 'report'] as const).filter((f) => values[f] !== undefined);
  if (values.shard !== undefined && reports.length > 0) {
    throw new UsageError(`--shard only fills the store, it evaluates nothing: ${reports.map((f) => `--${f}`).join(', ')} go(es) with the run without --shard once every worker is done`);
  }
  if (values.models !== undefined) {
    const specs = splitModelList(values.models);
    if (specs.length === 0) throw new UsageError('--models names no model');
    const samples = numericOption('samples', values.samples, 'positive integer');
    // Too few items for the folds is said before any call, not after every call is paid.
    const checkItems = (items: EvalFolder['items']): void => {
      const shortfall = foldsShortfall(kindOf(task), task, folderTable(dir, 'items'), items, folds, strategies ?? known);
      if (shortfall) throw shortfall;
    };
    const recorded = await recordFolderResponses(dir, specs, values, io, { ...(io.env ? { env: io.env } : {}), ...(batch ? { batch } : {}), ...(samples ? { samples } : {}), checkItems });
    // Answers missing from responses.jsonl (disk full): evaluating the rest would mislead; the message says how to recover.
    if (recorded.unwritten) return EXIT_STORAGE;
    unsaved = recorded.unsaved?.count ?? 0;
    if (recorded.stopReason === 'interrupted') {
      io.stderr.write('fusion: interrupted: the answers so far are in responses.jsonl; run the same command again to finish\n');
      return 130;
    }
    budgetStopped = recorded.stopReason === 'budget';
    if (budgetStopped) io.stderr.write('fusion: --max-cost reached: evaluating the answers recorded so far (missing ones count as abstentions)\n');
    callsFailed = recorded.failed.length;
    // A shard worker only fills the shared store; the run without --shard writes responses.jsonl and evaluates.
    if (values.shard !== undefined) return unsaved > 0 ? EXIT_STORAGE : callsFailed > 0 ? EXIT_CALLS_FAILED : budgetStopped ? EXIT_BUDGET : 0;
    if (callsFailed > 0 && !hasResponses(dir)) {
      io.stderr.write(`fusion: ${callsFailed} call(s) failed and no answer is recorded: nothing to evaluate\n`);
      return EXIT_CALLS_FAILED;
    }
  }

  const progress = new ProgressLine({ stream: io.stderr, ...(values.progress ? { force: true, intervalMs: 0 } : {}) });
  const onProgress = (done: number, total: number, what: string): void => progress.update(`[${done}/${total}] ${what}`);
  if (values.progress) io.stderr.write(`reading ${dir}\n`);
  // Answers asked with a prompt task.json no longer renders are refused here, before anything is written.
  const folder = loadRecordedFolder(dir);
  const kind = kindOf(folder.task);
  if (!kind.hasGold(folder)) throw new UsageError(noGoldMessage(dir, kind));
  const options = { folds, seed, onProgress, ...(strategies ? { strategies } : {}) };


  // The terminal's recommendation line needs the paired test the report computes.
  const wantReport = values.html !== undefined || values.json !== undefined || !values.quiet;
  const costs = modelCosts(folder.responses, folder.items.length);
  const explainReport = explainStrategy === undefined ? {} : { explainStrategy };
  const evaluation = await kind.evaluate(folder, { ...options, explain, ...(wantReport ? { report: { costs, itemTexts: itemTexts(folder.items) } } : {}) }).catch((e: unknown) => {
    throw values.models !== undefined && e instanceof FoldsError ? afterRecording(e) : e;
  });
  const { result, reportData } = evaluation;
  progress.stop();

  if (!values.quiet) io.stdout.write(drawLeaderboard(evaluation.leaderboard({ costs, folder: dir })));
  const page = evaluation.page ?? (reportData ? { data: () => reportData, html: () => renderHtmlReport(reportData) } : undefined);
  if (values.json) writeFileAtomic(values.json, `${JSON.stringify(page ? { ...evalResultJson(result), report: page.data() } : evalResultJson(result), usdReplacer, 2)}\n`);
  if (values.html && page) writeFileAtomic(values.html, page.html());
  // Said, not silently skipped: a kind whose plug-in has no HTML views yet writes no HTML report.
  else if (values.html) io.stderr.write(`fusion: no HTML report for ${kind.title} tasks yet: ${values.html} not written (--json and --report are)\n`);
  if (values.report) writeFileAtomic(values.report, evaluation.markdown(explainReport));
  if (callsFailed > 0) io.stderr.write(`fusion: ${callsFailed} call(s) failed after all attempts; their answers count as abstentions. Re-run to retry only those.\n`);
  if (unsaved > 0) return EXIT_STORAGE;
  if (callsFailed > 0) return EXIT_CALLS_FAILED;
  return budgetStopped ? EXIT_BUDGET : 0;
}

function hasResponses(dir: string): boolean {
  try {
    return statSync(join(dir, 'responses.jsonl')).size > 0;
  } catch {
    return false;
  }
}
