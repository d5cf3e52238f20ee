import type { QaEvalResult } from './answer-score.js';
import type { ClassificationEvalResult } from './evaluate.js';
import { markdownCell as esc } from '../util/markdown-cell.js';

const pct = (x: number): string => (Number.isNaN(x) ? '-' : (100 * x).toFixed(1));
const usd = (x: number | null): string => (x === null ? 'n/a (a model has no price)' : `$${(1000 * x).toFixed(4)} per 1k items`);

/**
 * The Markdown sections on what answers cost, for either task kind: calls and cost per item of every
 * strategy, its accuracy at coverage 100/90/80/50% (risk-coverage), and the cost/quality curve of
 * the adaptive policies. Quality is macro-F1 for classification, accuracy for QA.
 */
export function renderCalls(r: ClassificationEvalResult | QaEvalResult): string[] {
  const metric = 'labels' in r ? 'macro-F1 %' : 'accuracy %';
  const quality = (s: (typeof r.strategies)[number]): number => (s.macroF1 === null ? s.accuracy : s.macroF1);
  const out = ['## Calls and cost per item', '', `Answers each strategy used per item (of ${r.models.length} models, each recorded sample of a model a call; an adaptive policy only the ones it asked for, replayed out-of-fold), and their cost at list prices (tokens estimated from the prompt and the recorded outputs).`, ''];
  out.push(`| strategy | calls per item | cost | ${metric} |`, '|---|---|---|---|');
  for (const s of r.strategies) out.push(`| ${esc(s.name)} | ${s.callsPerItem.toFixed(2)} | ${usd(s.costPerItem)} | ${pct(quality(s))} |`);
  out.push('');
  out.push('## Accuracy at coverage (risk-coverage)', '', `Accuracy % on the most confident share of the ${'labels' in r ? 'items' : 'scored questions'}, and the fused probability of the winner at that cut (\`fusion run --min-confidence\` at that value abstains on the rest with reason \`no-consensus\`).`, '');
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
