import type { QaOutcomes } from '../../eval/answer-score.js';
import { qaStarter } from './starter.js';
import { estimateCallPrices } from '../../eval/call-prices.js';
import { evaluateQaFolder } from './evaluate.js';
import { defaultStrategyName } from '../../fuse/registry.js';
import type { FittedStrategy, FusionStrategy } from '../../fuse/strategy.js';
import { buildReportData, type ReportData } from '../../report/index.js';
import { InputError } from '../../task/errors.js';
import { type QaFolder, qaFolder } from './folder.js';
import type { QaItem, QaTask } from '../../task/schema.js';
import { CATEGORICAL_STRATEGY_NAMES, categoricalRefusal, categoricalItemsToScore, categoricalStrategyToFit, loadCategoricalFuser, namedCategoricalFuser, restoreCategorical, unsupervisedNames, wrongKind } from '../categorical-fusers.js';
import { categoricalLeaderboard } from '../categorical-leaderboard.js';
import type { KindEntry, TaskKind } from '../task-kind.js';
import { fitQaStrategy } from './fit.js';
import { qaPrompt } from './prompt.js';
import { renderQaReport } from './report.js';
import { qaKind, type QaFusedLine } from './rows.js';

const KIND = 'qa';
const TITLE = 'QA';

/** QA: {"id", "question", "choices"?} questions, answered by clustering equivalent answers; scored by accuracy. */
export const qaPlugin: TaskKind<QaTask, QaFolder, QaItem, QaFusedLine, FittedStrategy> = {
  kind: KIND,
  title: TITLE,
  prompt: qaPrompt,
  run: (task) => qaKind(task),
  runHelp: `QA task ("kind": "${KIND}"): questions {"id", "question", "choices"?: [{"label", "text"}]} ("answers" is
ignored; multiple-choice tasks need choices); output
  {"id", "answer", "choice"? (multiple choice: {"label", "text"} or null), "shortAnswer"?,
   "cluster": {"index", "answer", "key", "share", "models", "representative"} or null, "support",
   "distribution": [{"answer", "key", "share", "models"}],
   "answers": [{"model", "output", "answer", "cluster"?, "abstain"?}], "cost"}
  "answer" is the winning cluster's representative answer (a choice letter, a number as stated, a
  span or sentence); "key" is the canonical form its members share; "share" is the share of the
  answering models in a cluster; "representative" is the model whose answer "answer" is; "support"
  is the strategy's support for the winner; each model's "cluster" indexes "distribution".`,
  strategyHelp: `                     QA: majority-vote over answer clusters (default for multiple-choice and
                     numeric), central (the answer most supported by the others; default for
                     free-form), soft-vote, soft-vote-log (item by item), or dawid-skene (batch;
                     multiple-choice only: it needs a fixed label set), dawid-skene-one-coin (batch).`,
  unseenModelsWeighNeutral: true,
  refusedFlags: {},
  defaultStrategy: (task) => defaultStrategyName(task.answerType === 'free-form'),
  strategyNames: () => CATEGORICAL_STRATEGY_NAMES,
  unsupervisedNames: (task) => unsupervisedNames(task.answerType === 'multiple-choice', false),
  itemsToScore: (_task, folds, names) => categoricalItemsToScore(folds, names),
  refusal: (task, name) => categoricalRefusal(name, task.answerType === 'multiple-choice', task.answerType, false),
  foldGroups: (items) => items.length,
  ...qaFolder,
  goldField: 'answers',
  starter: qaStarter,
  hasGold: (folder) => folder.items.some((i) => (i.answers?.length ?? 0) > 0) || folder.responses.some((r) => r.correct !== undefined),
  labelledItems: (folder) => {
    // An item is scored by its reference answers, or by the correctness a judge recorded for an answer to it.
    const judged = new Set(folder.responses.filter((r) => r.correct !== undefined).map((r) => r.item));
    return folder.items.filter((i) => (i.answers?.length ?? 0) > 0 || judged.has(i.id)).length;
  },

  async evaluate(folder, options) {
    let outcomes: QaOutcomes | undefined;
    const { report, strategies, ...rest } = options;
    const result = await evaluateQaFolder(folder, { ...rest, ...(strategies ? { strategies: strategies as (string | FusionStrategy)[] } : {}), ...(report ? { onOutcomes: (o) => (outcomes = o) } : {}) });
    const reportData: ReportData | undefined = report && outcomes ? buildReportData(result, { outcomes, oracle: result.extras.oracle }, { costs: report.costs, ...(report.itemTexts ? { itemTexts: report.itemTexts } : {}) }) : undefined;
    return { result, leaderboard: (advice) => categoricalLeaderboard({ ...result, oracle: result.extras.oracle }, reportData, advice), ...(reportData ? { reportData } : {}), markdown: (o) => renderQaReport(result, o) };
  },

  strategyToFit(name, folder, targets) {
    const models = [...new Set(folder.responses.map((r) => r.model))];
    return categoricalStrategyToFit(name, targets, () => {
      const perCall = estimateCallPrices(folder, models);
      return Object.fromEntries(models.flatMap((m, j) => (perCall[j] === null || perCall[j] === undefined ? [] : [[m, perCall[j] as number]])));
    });
  },

  fitSaved(folder, strategy, seed) {
    const { fitted, saved } = fitQaStrategy(folder, strategy as FusionStrategy, seed);
    return { saved, state: fitted.state() };
  },

  quality: { metric: 'accuracy', score: (e) => (e as { accuracy?: number }).accuracy ?? Number.NaN },
  headline: (e) => `accuracy ${((e as KindEntry & { accuracy?: number }).accuracy ?? Number.NaN).toFixed(3)}, coverage ${e.coverage.toFixed(3)}`,

  restoreSaved: (saved, file) => restoreCategorical(saved, file, KIND, TITLE),

  loadSaved: (file, task) =>
    loadCategoricalFuser(file, (saved) => {
      if (saved.kind !== task.kind) throw wrongKind(file, saved.kind, TITLE);
      if (saved.kind === KIND && (saved.answerType === 'multiple-choice') !== (task.answerType === 'multiple-choice')) {
        throw new InputError([{ file, field: 'answerType', message: `the strategy was fitted on ${saved.answerType} answers but the task's are ${task.answerType}` }]);
      }
    }),

  namedFuser: (name, task, batchSize) => namedCategoricalFuser(name, batchSize, task.answerType === 'multiple-choice', task.answerType, false),
};
