/**
 * `llm-fusion/evaluation`: the statistics behind `fusion eval` and its reports: metrics for labels,
 * ordered labels and scores, folds and the one out-of-fold helper, agreement, paired tests,
 * bootstrap intervals, and the terminal, Markdown and HTML reports.
 */
export { scoreClassification, type ClassificationScore, type ClassMetrics } from '../validation/metrics.js';
export { orderedLabelMetrics, type OrderedLabelMetrics } from '../validation/ordered-label-metrics.js';
export { scoreMetrics, scoreMetricIntervals, spearman, pearson, kendallTauB, quadraticWeightedKappa, type ScoreMetrics, type ScoreScale } from '../validation/score-metrics.js';
export { stratifiedKFold, kFold, groupedKFold } from '../validation/folds.js';
export type { CrossValidationResult, Prediction } from '../validation/cross-validation.js';
export { outOfFold, crossValidate, makeFolds } from '../validation/out-of-fold.js';
export { crossValidateStrategy } from '../fuse/cross-validate.js';
export { cohensKappa, fleissKappa, oracleRate } from '../eval/agreement.js';
export { binaryAuc, macroOvrAuc } from '../validation/roc-auc.js';
export { bootstrapResamples, percentileInterval, type Interval } from '../validation/bootstrap.js';
export { mcnemarExact, comparePaired, describeComparison, type PairedComparison } from '../validation/paired-test.js';
export { effectiveVoters, errorCorrelation } from '../validation/error-correlation.js';
export type { EvalOptions, EvalPredictions } from '../eval/evaluate.js';
export type { DecisionExplanation } from '../eval/explanations.js';
export { renderLeaderboard } from '../eval/leaderboard.js';
export { renderClassificationReport } from '../kinds/classification/report.js';
export { renderQaReport } from '../kinds/qa/report.js';
export { buildReportData, renderHtmlReport, modelCosts, type ReportData, type ReportOptions, type CostCurve } from '../report/index.js';
