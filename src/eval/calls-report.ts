import type { EvalResult, ModelEntryCore, StrategyEntryCore } from './eval-result.js';
import type { StrategyEntry } from './evaluate.js';
import { markdownCell as esc } from '../util/markdown-cell.js';

const pct = (x: number): string => (Number.isNaN(x) ? '-' : (100 * x).toFixed(1));
/** A strategy row as the cost sections read it. */
type CallsEntry = StrategyEntryCore & Pick<StrategyEntry, 'riskCoverage' | 'curve' | 'costPerItem'> & { accuracy: number };

const usd = (x: number | null): string => (x === null ? 'n/a (a model has no price)' : `$${(1000 * x).toFixed(4)} per 1k items`);

/**
 * The Markdown sections on what answers cost, for either task kind: calls and cost per item of every
 * strategy, its accuracy at coverage 100/90/80/50% (risk-coverage), and the cost/quality curve of
 * the adaptive policies. Quality is macro-F1 for classification, accuracy for QA.
 */
export function renderCalls<S extends CallsEntry>(
  r: EvalResult<unknown, ModelEntryCore, S>,
  /** The kind's quality figure: its header in the tables, its value of one strategy, and what is counted (`items`, `scored questions`). */
  quality: { metric: string; of(s: S): number; counted: string },
): string[] {
  const metric = `${quality.metric} %`;
  const out = ['## Calls and cost per item', '', `Answers each strategy used per item (of ${r.models.length} models, each recorded sample of a model a call; an adaptive policy only the ones it asked for, replayed out-of-fold), and their cost at list prices (tokens estimated from the prompt and the recorded outputs).`, ''];
  out.push(`| strategy | calls per item | cost | ${metric} |`, '|---|---|---|---|');
  for (const s of r.strategies) out.push(`| ${esc(s.name)} | ${s.callsPerItem.toFixed(2)} | ${usd(s.costPerItem)} | ${pct(quality.of(s))} |`);
  out.push('');
  out.push('## Accuracy at coverage (risk-coverage)', '', `Accuracy % on the most confident share of the ${quality.counted}, and the fused probability of the winner at that cut (\`fusion run --min-confidence\` at that value abstains on the rest with reason \`no-consensus\`).`, '');
  const cov = r.strategies[0]?.riskCoverage.map((p) => `${Math.round(100 * p.coverage)}%`) ?? [];
  out.push(`| strategy | ${cov.join(' | ')} |`, `|---|${cov.map(() => '---').join('|')}|`);
  for (const s of r.strategies) out.push(`| ${esc(s.name)} | ${s.riskCoverage.map((p) => `${pct(p.accuracy)} (p >= ${p.minConfidence.toFixed(2)})`).join(' | ')} |`);
  out.push('');
  for (const s of r.strategies) {
    if (!s.curve) continue;
    out.push(`### Cost/quality curve of ${esc(s.name)}`, '', 'Every setting of its stopping rule replayed on the test folds (the policy picks its setting on the training folds).', '');
    out.push(`| setting | calls per item | cost | ${metric} |`, '|---|---|---|---|');
    for (const p of s.curve) out.push(`| ${p.setting} | ${p.callsPerItem.toFixed(2)} | ${usd(p.costPerItem)} | ${pct(p.score)} |`);
    out.push('');
  }
  return out;
}
