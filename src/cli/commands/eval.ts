import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluateClassification, evaluateQaFolder } from '../../eval/evaluate.js';
import { STRATEGIES } from '../../fuse/registry.js';
import { renderLeaderboard } from '../../eval/leaderboard.js';
import { renderClassificationReport } from '../../eval/report.js';
import { recordFolderResponses } from '../../orchestrate/record-folder.js';
import { ORCHESTRATION_ARGS, orchestrationHelp } from '../../orchestrate/session.js';
import { renderQaReport } from '../../eval/answer-report.js';
import { splitModelList } from '../../run/models.js';
import { loadEvalFolder } from '../../task/load-folder.js';
import { UsageError } from '../errors.js';
import { type CliIo, progressLine } from '../io.js';

export const evalHelp = `Usage: fusion eval <folder> [options]

Scores every model and every fusion strategy on a labelled eval folder (task.json, items.jsonl,
responses.jsonl), classification or QA. Strategies that learn from labels are scored out-of-fold.

Options:
  --folds N          cross-validation folds for strategies that learn (default 5)
  --seed N           seed for folds and anything random (default 1)
  --strategies LIST  comma-separated strategy names (default: all)
  --json FILE        write the whole result as JSON
  --report FILE.md   write a Markdown report
  --explain N        explain N contested decisions per strategy, model by model (classification;
                     in --json for every strategy, in --report for the best one)
  --explain-strategy NAME  the strategy the report explains (default: the best one)
  --quiet            print nothing on stdout
  --models LIST      first ask these provider:model specs (e.g. openai:gpt-4o-mini,ollama:llama3.1)
                     for every item they have no answer for in responses.jsonl, appending the
                     answers there, then evaluate as usual

${orchestrationHelp}
Exit status: 0 done; 2 bad input or usage; 130 interrupted while asking models (answers so far are kept).
`;

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

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
      explain: { type: 'string' },
      'explain-strategy': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      models: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      ...ORCHESTRATION_ARGS,
    },
  });
  if (values.help) {
    io.stdout.write(evalHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`eval takes one folder\n\n${evalHelp}`);
  const dir = positionals[0] as string;
  const folds = nonNegativeInt('folds', values.folds, 5);
  if (folds < 2) throw new UsageError('--folds must be at least 2');
  const seed = nonNegativeInt('seed', values.seed, 1);
  const explain = nonNegativeInt('explain', values.explain, 0);
  const strategies = values.strategies?.split(',').map((s) => s.trim()).filter(Boolean);

  if (values.models !== undefined) {
    const specs = splitModelList(values.models);
    if (specs.length === 0) throw new UsageError('--models names no model');
    const recorded = await recordFolderResponses(dir, specs, values, io, io.env ? { env: io.env } : {});
    if (recorded.stopReason === 'interrupted') {
      io.stderr.write('fusion: interrupted: the answers so far are in responses.jsonl; run the same command again to finish\n');
      return 130;
    }
    if (recorded.stopReason === 'budget') io.stderr.write('fusion: --max-cost reached: evaluating the answers recorded so far (missing ones count as abstentions)\n');
  }

  const progress = progressLine(io, true);
  const onProgress = (done: number, total: number, what: string): void => {
    const text = `[${done}/${total}] ${what}`;
    if (values.progress) io.stderr.write(`${text}\n`);
    else progress.update(text);
  };
  if (values.progress) io.stderr.write(`reading ${dir}\n`);
  const folder = loadEvalFolder(dir, { requireResponses: true });
  const options = { folds, seed, onProgress, ...(strategies ? { strategies } : {}) };

  const known = STRATEGIES.map((s) => s.name);
  const unknown = (strategies ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown strategy ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${known.join(', ')})`);

  let result;
  let report: () => string;
  if (folder.kind === 'qa') {
    if (values.explain !== undefined) throw new UsageError('--explain applies to classification folders; the QA report shows each cluster and its support');
    const qa = await evaluateQaFolder(folder, options);
    result = qa;
    report = () => renderQaReport(qa);
  } else {
    const explainStrategy = values['explain-strategy'];
    if (explainStrategy !== undefined && !(strategies ?? known).includes(explainStrategy)) {
      throw new UsageError(`--explain-strategy ${explainStrategy}: not among the strategies of this run (${(strategies ?? known).join(', ')})`);
    }
    const cls = evaluateClassification(folder, { ...options, explain });
    result = cls;
    report = () => renderClassificationReport(cls, explainStrategy === undefined ? {} : { explainStrategy });
  }
  progress.done();

  if (!values.quiet) io.stdout.write(renderLeaderboard(result));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  if (values.report) writeFileSync(values.report, report());
  return 0;
}
