import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluateClassification } from '../../eval/evaluate.js';
import { renderLeaderboard } from '../../eval/leaderboard.js';
import { renderClassificationReport } from '../../eval/report.js';
import { loadEvalFolder } from '../../task/load-folder.js';
import { UsageError } from '../errors.js';
import { type CliIo, progressLine } from '../io.js';

export const evalHelp = `Usage: fusion eval <folder> [options]

Scores every model and every fusion strategy on a labelled eval folder
(task.json, items.jsonl, responses.jsonl).

Options:
  --folds N          cross-validation folds for strategies that learn (default 5)
  --seed N           seed for folds and anything random (default 1)
  --strategies LIST  comma-separated strategy names (default: all)
  --json FILE        write the whole result as JSON
  --report FILE.md   write a Markdown report
  --progress         show progress on stderr even when it is not a terminal
  --quiet            print nothing on stdout
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
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
      progress: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(evalHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`eval takes one folder\n\n${evalHelp}`);
  const dir = positionals[0] as string;
  const folds = positiveInt('folds', values.folds, 5);
  if (folds < 2) throw new UsageError('--folds must be at least 2');
  const seed = positiveInt('seed', values.seed, 1);
  const strategies = values.strategies?.split(',').map((s) => s.trim()).filter(Boolean);

  const progress = progressLine(io, true);
  if (values.progress) io.stderr.write(`reading ${dir}\n`);
  const folder = loadEvalFolder(dir, { requireResponses: true });
  if (folder.kind !== 'classification') throw new UsageError(`${dir}: kind qa is not supported by this build`);
  const result = evaluateClassification(folder, {
    folds,
    seed,
    ...(strategies ? { strategies } : {}),
    onProgress: (done, total, what) => {
      const text = `[${done}/${total}] ${what}`;
      if (values.progress) io.stderr.write(`${text}\n`);
      else progress.update(text);
    },
  });
  progress.done();

  if (!values.quiet) io.stdout.write(renderLeaderboard(result));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  if (values.report) writeFileSync(values.report, renderClassificationReport(result));
  return 0;
}
