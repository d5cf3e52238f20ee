import type { EvalPredictions } from '../../eval/evaluate.js';
import { classificationStarter } from './starter.js';
import { CLASSIFICATION_METRIC, evaluateClassification } from './evaluate.js';
import { buildAnswerMatrix } from '../../eval/build-matrix.js';
import { estimateCallPrices } from '../../eval/call-prices.js';
import { defaultStrategyName } from '../../fuse/registry.js';
import { toSavedStrategy } from '../../fuse/saved-strategy.js';
import { type FittedStrategy, type FusionStrategy, StrategyError } from '../../fuse/strategy.js';
import { createClassificationNormalizer } from '../../normalize/classification.js';
import { buildReportData, type ReportData } from '../../report/index.js';
import { InputError } from '../../task/errors.js';
import { type ClassificationFolder, classificationFolder } from './folder.js';
import type { ClassificationItem, ClassificationTask } from '../../task/schema.js';
import { CATEGORICAL_STRATEGY_NAMES, categoricalRefusal, categoricalItemsToScore, categoricalStrategyToFit, loadCategoricalFuser, namedCategoricalFuser, restoreCategorical, unsupervisedNames, wrongKind } from '../categorical-fusers.js';
import { categoricalLeaderboard } from '../categorical-leaderboard.js';
import type { KindEntry, TaskKind } from '../task-kind.js';
import { classificationPrompt } from './prompt.js';
import { renderClassificationReport } from './report.js';
import { classificationKind, type FusedLine } from './rows.js';

const KIND = 'classification';

/** Prices per model name, for an adaptive cost target. */
function pricesByName(folder: ClassificationFolder, models: readonly string[]): Record<string, number> {
  const perCall = estimateCallPrices(folder, models);
  return Object.fromEntries(models.flatMap((m, j) => (perCall[j] === null || perCall[j] === undefined ? [] : [[m, perCall[j] as number]])));
}

/** Classification: {"id", "text"} items, one of the task's labels as the answer, scored by macro-F1. */
export const classificationPlugin: TaskKind<ClassificationTask, ClassificationFolder, ClassificationItem, FusedLine, FittedStrategy> = {
  kind: KIND,
  title: KIND,
  prompt: classificationPrompt,
  run: (task) => classificationKind(task),
  runHelp: `Classification task: items {"id", "text"}; output
  {"id", "label", "distribution": {label: p}, "answers": [{"model", "output", "label", "abstain"?}], "cost"}`,
  strategyHelp: `                     Classification: majority-vote (default), soft-vote, soft-vote-log, central
                     (item by item), or dawid-skene, dawid-skene-one-coin, median-label (ordered
                     labels) (batch).`,
  unseenModelsWeighNeutral: false,
  refusedFlags: {},
  defaultStrategy: () => defaultStrategyName(false),
  strategyNames: () => CATEGORICAL_STRATEGY_NAMES,
  unsupervisedNames: (task) => unsupervisedNames(true, task.ordered === true),
  itemsToScore: (_task, folds, names) => categoricalItemsToScore(folds, names),
  refusal: (task, name) => categoricalRefusal(name, true, '', task.ordered === true),
  foldGroups: (items) => items.length,
  ...classificationFolder,
  goldField: 'label',
  starter: classificationStarter,
  hasGold: (folder) => folder.gold.some((g) => g >= 0),
  labelledItems: (folder) => folder.gold.filter((g) => g >= 0).length,

  async evaluate(folder, options) {
    let predictions: EvalPredictions | undefined;
    const { report, strategies, ...rest } = options;
    const result = evaluateClassification(folder, { ...rest, ...(strategies ? { strategies: strategies as (string | FusionStrategy)[] } : {}), ...(report ? { onPredictions: (p) => (predictions = p) } : {}) });
    const reportData: ReportData | undefined = report && predictions ? buildReportData(result, { predictions, oracle: result.extras.oracle, agreement: result.extras.agreement }, { costs: report.costs, ...(report.itemTexts ? { itemTexts: report.itemTexts } : {}) }) : undefined;
    return { result, leaderboard: (advice) => categoricalLeaderboard({ ...result, oracle: result.extras.oracle }, reportData, advice), ...(reportData ? { reportData } : {}), markdown: (o) => renderClassificationReport(result, o) };
  },

  strategyToFit(name, folder, targets) {
    const models = [...new Set(folder.responses.map((r) => r.model))];
    return categoricalStrategyToFit(name, targets, () => pricesByName(folder, models));
  },

  fitSaved(folder, which, seed) {
    const strategy = which as FusionStrategy;
    const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
    const labelled = folder.gold.reduce((n, g) => n + (g >= 0 ? 1 : 0), 0);
    if (strategy.supervised && labelled === 0) throw new StrategyError(`${strategy.name} learns from labels, but no item in ${folder.dir} has a label`);
    const gold = strategy.supervised ? folder.gold : new Int32Array(folder.gold.length).fill(-1);
    const fitted = strategy.fit(matrix, gold, { seed, metric: CLASSIFICATION_METRIC });
    return { state: fitted.state(), saved: toSavedStrategy(fitted, { strategy: strategy.name, task: folder.task.name, labels: matrix.labels, models: matrix.models }) };
  },

  quality: { metric: 'macro-F1', score: (e) => (e as { macroF1?: number }).macroF1 ?? Number.NaN },
  headline: (e) => `accuracy ${((e as KindEntry & { accuracy?: number }).accuracy ?? Number.NaN).toFixed(3)}, macro-F1 ${((e as { macroF1?: number }).macroF1 ?? Number.NaN).toFixed(3)}, coverage ${e.coverage.toFixed(3)}`,

  restoreSaved: (saved, file) => restoreCategorical(saved, file, KIND, KIND),

  loadSaved: (file, task) =>
    loadCategoricalFuser(file, (saved) => {
      if (saved.kind !== task.kind) throw wrongKind(file, saved.kind, KIND);
      const labels = task.labels.map((l) => l.name);
      if (saved.labels.length !== labels.length || saved.labels.some((l, k) => l !== labels[k])) {
        throw new InputError([{ file, field: 'labels', message: `the strategy was fitted on labels [${saved.labels.join(', ')}] but the task has [${labels.join(', ')}]` }]);
      }
    }),

  namedFuser: (name, task, batchSize) => namedCategoricalFuser(name, batchSize, true, '', task.ordered === true),
};
