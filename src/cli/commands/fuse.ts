import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { drawLeaderboard } from '../../eval/leaderboard-table.js';
import { matchModels } from '../../run/fitted-models.js';
import { type MapWording, parseModelMap } from '../../run/model-map.js';
import { fuseRecorded, recordedModels } from '../../run/fuse-recorded.js';
import { OutputRows } from '../../run/output-row.js';
import { chooseStrategy, defaultStrategyName } from '../../run/strategy-choice.js';
import { KINDS, kindOf } from '../../kinds/registry.js';
import { type EvalFolder, loadEvalFiles } from '../../kinds/load-folder.js';
import { loadRecordedFolder, refuseOtherPrompts } from '../../run/recorded-prompts.js';
import { UsageError } from '../errors.js';
import { strategyFlagError } from '../usage-hints.js';
import type { CliIo } from '../io.js';
import { printFolderWarnings } from '../folder-warnings.js';
import { dashIsStdio, openOutput, outputFormat } from '../table-args.js';

export const fuseHelp = `Usage: fusion fuse <folder> [options]
       fusion fuse --answers answers.csv --task task.json [--items items.csv] [options]

Fuses answers you already have, without calling any model: a folder (task.json, items, responses in
JSONL, CSV or TSV) or an answers file (rows of item, model, output; optional sample, logprobs) with a
task. Writes one row per item, as fusion run writes it (JSON Lines by default; CSV/TSV with label or
answer and confidence, or a score and its interval, and a column per model). Gold is optional: where items carry gold labels or
answers (or responses a "correct" judgement), the scores of every unsupervised strategy and of each
model are printed too (on stderr when the rows go to stdout).

Options:
  --strategy S       a saved strategy file from fusion fit, or an unsupervised built-in of the
                     task's kind (batch ones fitted on the whole folder):
${KINDS.map((k) => k.strategyHelp).join('\n')}
  --model-map MAP    fitted=recorded,... : which model of the answers a model the saved strategy
                     was fitted with stands for (default: the same name, or the same model part of
                     provider:model); fitted=- fuses without it (it counts as abstaining). A fitted
                     model no answers stand for is an error (exit 2)
  --answers FILE     the answers to fuse (with --task), in place of a folder
  --task FILE        the task of --answers
  --items FILE       with --answers: the items (texts or questions, gold if any); default: the items
                     the answers name, without text
  --output FILE      write the rows to FILE (-: stdout; never over an existing file)
  --output-format F  jsonl (default), csv or tsv (default: --output's extension)
  --quiet            no scores

Exit status: 0 done; 2 bad input or usage.
`;

/** The model-map errors of fuse: the models are those the answers name, not live ones. */
const FUSE_WORDING: MapWording = {
  map: '--model-map',
  models: 'answers',
  say: (r) => `--model-map ${r}=MODEL,... (MODEL as the answers name it)`,
  leaveOut: (r) => `${r}=-`,
};

export async function fuseCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      strategy: { type: 'string' },
      'model-map': { type: 'string' },
      answers: { type: 'string' },
      task: { type: 'string' },
      items: { type: 'string' },
      output: { type: 'string' },
      'output-format': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(fuseHelp);
    return 0;
  }
  dashIsStdio(values);
  let folder: EvalFolder;
  if (values.answers !== undefined) {
    if (positionals.length > 0) throw new UsageError(`fuse takes a folder or --answers, not both\n\n${fuseHelp}`);
    if (values.task === undefined) throw new UsageError(`--answers needs --task task.json\n\n${fuseHelp}`);
    folder = loadEvalFiles(dirname(values.answers), { task: values.task, responses: values.answers, ...(values.items === undefined ? {} : { items: values.items }) }, { requireResponses: true });
    // Answers that say which prompt they were asked with are fused only if task.json still gives it.
    refuseOtherPrompts(folder);
  } else {
    if (positionals.length !== 1) throw new UsageError(`fuse takes one folder (or --answers FILE --task FILE)\n\n${fuseHelp}`);
    if (values.task !== undefined || values.items !== undefined) throw new UsageError('--task and --items go with --answers; a folder has its own');
    folder = loadRecordedFolder(positionals[0] as string);
  }
  printFolderWarnings(folder, io);
  let fuser;
  try {
    fuser = chooseStrategy(values.strategy, folder.task, Math.max(1, folder.items.length));
  } catch (e) {
    // A mistyped or unfitted --strategy is a usage error (exit 2, as the help says), not a crash of the fusion.
    throw strategyFlagError(e, '--strategy', values.strategy, kindOf(folder.task).unsupervisedNames(folder.task));
  }
  // A saved strategy reads models by the names it was fitted with: answers of other models must be
  // matched to those names (or the fitted model left out on purpose), never fused as if absent.
  const recorded = [...new Set(folder.responses.map((r) => r.model))];
  const match = matchModels(fuser, recorded, parseModelMap(values['model-map']), FUSE_WORDING);
  const fittedName = new Map(match.specs.map((spec, s) => [spec, match.names[s] ?? spec]));
  folder = { ...folder, responses: folder.responses.map((r) => ({ ...r, model: fittedName.get(r.model) ?? r.model })) };
  const lines = fuseRecorded(folder.task, folder.items, folder.responses, fuser);

  const models = recordedModels(folder.responses).map((name, j, all) => ({ name, sample: all.slice(0, j).filter((m) => m === name).length }));
  const kind = kindOf(folder.task);
  const rows = new OutputRows(outputFormat(values, 'jsonl'), kind.run(folder.task), models, () => undefined);
  const sink = openOutput(values, io.stdout);
  // A reader of stdout that goes away (`| head`, EPIPE) ends the command quietly, as fusion run; a
  // file's write error is not swallowed (closing the file reports it).
  let readerGone = false;
  if (values.output === undefined) sink.output.on('error', () => (readerGone = true));
  const write = (text: string): void => {
    if (!readerGone && !sink.output.destroyed) sink.output.write(text);
  };
  try {
    write(rows.start({ passthrough: {} }));
    for (const line of lines) write(rows.line(line, { passthrough: {} }));
    await sink.close();
  } finally {
    await sink.abandon();
  }
  if (readerGone) return 0;

  if (!values.quiet && kind.hasGold(folder)) {
    const chosen = values.strategy ?? defaultStrategyName(folder.task);
    // Only the strategies this task's answers allow (free-form and numeric QA have no fixed label set, unordered labels no median).
    const usable = kind.unsupervisedNames(folder.task);
    const strategies = usable.includes(chosen) ? [chosen, ...usable.filter((s) => s !== chosen)] : usable;
    const options = { folds: 5, seed: 1, strategies };
    const { leaderboard } = await kind.evaluate(folder, options);
    (values.output === undefined ? io.stderr : io.stdout).write(drawLeaderboard(leaderboard()));
  }
  return 0;
}
