import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAnswerMatrix } from '../../eval/build-matrix.js';
import { crossValidateStrategy } from '../../fuse/cross-validate.js';
import { scoreClassification } from '../../validation/metrics.js';
import { getStrategy, STRATEGIES } from '../../fuse/registry.js';
import { adaptiveStrategy, createAdaptive } from '../../fuse/adaptive/adaptive-strategy.js';
import { estimateCallPrices } from '../../eval/call-prices.js';
import { toSavedStrategy, writeSavedStrategy } from '../../fuse/saved-strategy.js';
import { type FusionStrategy, StrategyError } from '../../fuse/strategy.js';
import { createClassificationNormalizer } from '../../normalize/classification.js';
import { evaluateQaFolder } from '../../eval/evaluate.js';
import { fitQaStrategy } from '../../qa/fit-qa.js';
import { hasGold } from '../../task/gold.js';
import { type QaFolder, loadEvalFolder } from '../../task/load-folder.js';
import { UsageError } from '../errors.js';
import { flagPath, refuseOutputsOverInputs } from '../output-paths.js';
import { type CliIo, processIo } from '../io.js';
import { numericOption } from '../numeric-option.js';
import { firstSeen } from '../../util/first-seen.js';

export const fitHelp = `Usage: fusion fit <folder> --strategy NAME --out model.json [options]

Fits a fusion strategy on a labelled folder (task.json, items.jsonl, responses.jsonl) and saves
it as a versioned JSON file that can later fuse unlabelled answers of the same task.

Options:
  --strategy NAME    strategy to fit (classification and QA alike): ${STRATEGIES.map((s) => s.name).join(', ')}
                     (free-form and numeric QA refuse the ones that need a fixed label set)
  --out FILE         where to write the fitted strategy
  --folds N          first estimate its quality out-of-fold with N folds (default 5; 0 to skip)
  --seed N           seed for folds and anything random (default 1)
  --max-loss P       adaptive: the fewest calls within P points of macro-F1 of the full fusion on
                     the training folds (default 0.5)
  --max-calls N      adaptive: the best macro-F1 asking at most N models per item on average
  --max-cost USD     adaptive: the best macro-F1 at most USD per item on average (list prices)
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
  const folds = numericOption('folds', values.folds, 'non-negative integer') ?? 5;
  if (folds === 1) throw new UsageError('--folds must be 0 (skip) or at least 2');
  const seed = numericOption('seed', values.seed, 'non-negative integer') ?? 1;
  const dir = positionals[0] as string;
  const folder = loadEvalFolder(dir, { requireResponses: true });
  const targets = adaptiveTargets(values);
  // Prices are per model name: any list of the folder's models will do.
  const models = firstSeen(folder.responses.map((r) => r.model)).list;
  const strategy = strategyToFit(values.strategy, targets, () => estimateCallPrices(folder, models), models);
  if (folder.kind === 'qa') return fitQa(folder, strategy, values.out, folds, seed, io);
  const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
  const gold = strategy.supervised ? folder.gold : new Int32Array(folder.gold.length).fill(-1);
  const labelled = folder.gold.reduce((n, g) => n + (g >= 0 ? 1 : 0), 0);
  if (strategy.supervised && labelled === 0) throw new StrategyError(`${strategy.name} learns from labels, but no item in ${dir} has a label`);

  const lines = [`strategy ${strategy.name} on ${folder.task.name}: ${matrix.itemIds.length} items (${labelled} labelled), ${matrix.models.length} models`];
  if (folds >= 2 && labelled >= folds) {
    const cv = strategy.supervised
      ? crossValidateStrategy(strategy, matrix, folder.gold, { folds, seed }).prediction
      : strategy.fit(matrix, gold, { seed }).predict(matrix);
    const s = scoreClassification(folder.gold, cv, matrix.labels);
    const how = strategy.supervised ? `out-of-fold (${folds} folds, seed ${seed})` : 'on all items, without labels';
    lines.push(`estimated ${how}: accuracy ${s.accuracy.toFixed(3)}, macro-F1 ${s.macroF1.toFixed(3)}, coverage ${s.coverage.toFixed(3)}`);
  }
  const fitted = strategy.fit(matrix, gold, { seed });
  lines.push(...pickLines(fitted.state()));
  writeSavedStrategy(values.out, toSavedStrategy(fitted, { strategy: strategy.name, task: folder.task.name, labels: matrix.labels, models: matrix.models }));
  lines.push(`wrote ${values.out}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function fitQa(folder: QaFolder, strategy: FusionStrategy, out: string, folds: number, seed: number, io: CliIo): Promise<number> {
  const lines = [`strategy ${strategy.name} on ${folder.task.name}: ${folder.items.length} questions`];
  // Without gold there is nothing to estimate against; an unsupervised strategy is still fitted.
  if (folds >= 2 && hasGold(folder)) {
    const estimate = await evaluateQaFolder(folder, { folds, seed, strategies: [strategy] });
    const s = estimate.strategies[0];
    if (s) lines.push(`estimated out-of-fold (${folds} folds, seed ${seed}): accuracy ${s.accuracy.toFixed(3)}, coverage ${s.coverage.toFixed(3)}`);
  }
  const { fitted, saved } = fitQaStrategy(folder, strategy, seed);
  lines.push(...pickLines(fitted.state()));
  writeSavedStrategy(out, saved);
  lines.push(`wrote ${out}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

type AdaptiveTargets = { maxLoss?: number; maxCalls?: number; maxCost?: number };

/** `--max-loss` (points), `--max-calls`, `--max-cost`: the adaptive policy's target, read once for every task kind. */
function adaptiveTargets(values: { 'max-loss'?: string; 'max-calls'?: string; 'max-cost'?: string }): AdaptiveTargets | undefined {
  const maxLoss = numericOption('max-loss', values['max-loss'], 'non-negative number');
  const maxCalls = numericOption('max-calls', values['max-calls'], 'non-negative number');
  const maxCost = numericOption('max-cost', values['max-cost'], 'non-negative number');
  if (maxLoss === undefined && maxCalls === undefined && maxCost === undefined) return undefined;
  return { ...(maxLoss !== undefined ? { maxLoss: maxLoss / 100 } : {}), ...(maxCalls !== undefined ? { maxCalls } : {}), ...(maxCost !== undefined ? { maxCost } : {}) };
}

/**
 * The strategy `fusion fit` fits: the named one, or, with a target, the adaptive policy configured
 * for it (the target is refused on any other strategy rather than silently ignored).
 */
function strategyToFit(name: string, targets: AdaptiveTargets | undefined, prices: () => (number | null)[], models: readonly string[]): FusionStrategy {
  let strategy: FusionStrategy;
  try {
    strategy = getStrategy(name);
  } catch (e) {
    if (e instanceof StrategyError) throw new UsageError(e.message);
    throw e;
  }
  if (targets === undefined) return strategy;
  if (strategy.name !== adaptiveStrategy.name) throw new UsageError('--max-loss, --max-calls and --max-cost are targets of --strategy adaptive');
  const perCall = prices();
  const pricePerCall = Object.fromEntries(models.flatMap((m, j) => (perCall[j] === null || perCall[j] === undefined ? [] : [[m, perCall[j] as number]])));
  return createAdaptive({ pricePerCall, target: targets });
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
