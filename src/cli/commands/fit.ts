import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STRATEGIES } from '../../fuse/registry.js';
import { writeSavedStrategy } from '../../fuse/saved-strategy.js';
import { strategyFlagError } from '../usage-hints.js';
import { kindOf } from '../../kinds/registry.js';
import { RATING_STRATEGIES } from '../../kinds/rating/registry.js';
import type { AdaptiveTargets } from '../../kinds/task-kind.js';
import { FoldsError } from '../../eval/folds-error.js';
import { fit } from '../../run/fit.js';
import { InputError } from '../../task/errors.js';
import { UsageError } from '../errors.js';
import { flagPath, refuseOutputsOverInputs } from '../output-paths.js';
import { refuseForeignOutputs } from '../own-outputs.js';
import { type CliIo, processIo } from '../io.js';
import { printFolderWarnings } from '../folder-warnings.js';
import { numericOption } from '../numeric-option.js';
import { loadEvalFolder } from '../../kinds/load-folder.js';
import { unvouchedLossTarget } from '../../fuse/adaptive/unvouched.js';

export const fitHelp = `Usage: fusion fit <folder> --strategy NAME --out model.json [options]

Fits a fusion strategy on a labelled folder (task.json, items.jsonl, responses.jsonl) and saves
it as a versioned JSON file that can later fuse unlabelled answers of the same task.

Options:
  --strategy NAME    strategy to fit (classification and QA alike): ${STRATEGIES.map((s) => s.name).join(', ')}
                     (free-form and numeric QA refuse the ones that need a fixed label set)
                     Rating: ${RATING_STRATEGIES.map((s) => s.name).join(', ')}
  --out FILE         where to write the fitted strategy
  --folds N          first estimate its quality out-of-fold with N folds (default 5; 0 to skip)
  --seed N           seed for folds and anything random (default 1)
  --max-loss P       adaptive: the fewest calls within P points of the figure the task is scored
                     in (classification: macro-F1; QA, multiple choice included: accuracy) of the
                     full fusion on the training folds, counting one disagreement they did not
                     show (default 0.5; not for rating tasks). With fewer than a few hundred
                     labelled items the default asks (nearly) every model: no count of rows that
                     small vouches for stopping; a looser --max-loss or a --max-calls budget
                     trades quality for calls
  --max-calls N      adaptive: the best score (in --max-loss's figure) asking at most N models per
                     item on average (rating: the best fused score asking at most N judges per
                     item on average)
  --max-cost USD     adaptive: the best score (in --max-loss's figure) at most USD per item on
                     average (list prices; not for rating tasks)
  --text-checkpoint  adaptive: may decide an item from its text alone before any call, where a
                     classifier of the texts agrees with the full fusion on the training folds
                     within the target, its stops paying for their own doubt (labels shared by
                     every item, texts given; not for rating tasks). fusion run then says
                     "stopped": "text", "asked": 0
A folder without gold fits the strategies that learn no label (majority-vote, dawid-skene...).

Exit status: 0 written; 2 bad input or usage (a strategy that cannot be fitted on this folder, such
as one that learns from labels on a folder without any); 1 other failures.
`;

export async function fitCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      strategy: { type: 'string' },
      out: { type: 'string' },
      folds: { type: 'string' },
      seed: { type: 'string' },
      'max-loss': { type: 'string' },
      'max-calls': { type: 'string' },
      'max-cost': { type: 'string' },
      'text-checkpoint': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(fitHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`fit takes one folder\n\n${fitHelp}`);
  if (!values.strategy) throw new UsageError(`--strategy is required\n\n${fitHelp}`);
  if (!values.out) throw new UsageError(`--out is required\n\n${fitHelp}`);
  refuseOutputsOverInputs([flagPath('out', values.out)], ['task.json', 'items.jsonl', 'responses.jsonl'].map((f) => ({ what: 'the folder\'s', path: join(positionals[0] as string, f) })));
  refuseForeignOutputs([{ flag: '--out', path: values.out, kind: 'strategy' }]);
  const folds = numericOption('folds', values.folds, 'non-negative integer') ?? 5;
  if (folds === 1) throw new UsageError('--folds must be 0 (skip) or at least 2');
  const seed = numericOption('seed', values.seed, 'non-negative integer') ?? 1;
  const dir = positionals[0] as string;
  // fit() refuses answers asked with a prompt task.json no longer renders, before anything is fitted.
  const folder = loadEvalFolder(dir, { requireResponses: true });
  printFolderWarnings(folder, io);
  const kind = kindOf(folder.task);
  let strategy;
  try {
    strategy = kind.strategyToFit(values.strategy, folder, adaptiveTargets(values));
  } catch (e) {
    throw strategyFlagError(e, '--strategy', values.strategy, kind.strategyNames(folder.task));
  }
  // The held-out estimate is what needs the folds; the fit itself does not, so --folds 0 is a way out.
  const result = await fit(folder, { strategy, seed, folds }).catch((e: unknown) => {
    if (e instanceof FoldsError) throw new InputError([{ file: e.file, message: `${e.issues[0]?.message ?? ''}; --folds 0 fits on every item without the held-out estimate` }]);
    // The strategy the command line named cannot be fitted on this folder (no label to learn from...): usage, exit 2.
    throw strategyFlagError(e, '--strategy', values.strategy, kind.strategyNames(folder.task));
  });
  const lines = [`strategy ${strategy.name} on ${folder.task.name}: ${folder.items.length} items, ${new Set(folder.responses.map((r) => r.model)).size} models`];
  if (result.estimate) lines.push(`estimated ${result.estimate.scoredOn}: ${result.estimate.headline}`);
  lines.push(...pickLines(result.state));
  const unvouched = unvouchedLossTarget(result.state);
  if (unvouched)
    lines.push(
      `note: every model is asked: on ${kind.labelledItems(folder)} labelled items no cheaper setting is vouched to stay within ${Number((unvouched.maxLoss * 100).toFixed(4))} points of the full fusion; more labelled items, a looser --max-loss or a --max-calls budget let it ask fewer`,
    );
  writeSavedStrategy(values.out, result.saved);
  lines.push(`wrote ${values.out}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}


/** `--max-loss` (points), `--max-calls`, `--max-cost`: the adaptive policy's target, read once for every task kind. */
function adaptiveTargets(values: { 'max-loss'?: string; 'max-calls'?: string; 'max-cost'?: string; 'text-checkpoint'?: boolean }): AdaptiveTargets | undefined {
  const maxLoss = numericOption('max-loss', values['max-loss'], 'non-negative number');
  const maxCalls = numericOption('max-calls', values['max-calls'], 'non-negative number');
  const maxCost = numericOption('max-cost', values['max-cost'], 'non-negative number');
  const text = values['text-checkpoint'] === true ? { textCheckpoint: true } : {};
  if (maxLoss === undefined && maxCalls === undefined && maxCost === undefined) return values['text-checkpoint'] === true ? text : undefined;
  return { ...text, ...(maxLoss !== undefined ? { maxLoss: maxLoss / 100 } : {}), ...(maxCalls !== undefined ? { maxCalls } : {}), ...(maxCost !== undefined ? { maxCost } : {}) };
}

/** What a choosing strategy picked, and why when it says (`auto`: whether its mixture held against its best candidate). */
function pickLines(state: unknown): string[] {
  if (!state || typeof state !== 'object') return [];
  const s = state as { picked?: unknown; check?: { why?: unknown } };
  const out: string[] = [];
  if (typeof s.picked === 'string') out.push(`picked: ${s.picked}`);
  if (s.check && typeof s.check === 'object' && typeof s.check.why === 'string') out.push(`check: ${s.check.why}`);
  return out;
}
