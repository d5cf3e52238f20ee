import type { LeaderboardInput } from '../eval/leaderboard.js';
import type { ReportData } from './report-data.js';

const calls = (x: number | undefined): string => (x === undefined ? '' : `${x.toFixed(2)} calls/item`);
const usd = (x: number | null | undefined): string => (x === null || x === undefined ? '' : `, $${x.toFixed(6)}/item`);

/**
 * The line that ends the terminal leaderboard: the strategy to use and why, in plain words (the
 * paired test of the best strategy against the best single model, and what each costs per call),
 * and the `fusion fit` command that saves it. Where the best fusion is reliably worse than the best
 * model, the model alone is the advice.
 */
export function recommendationLine(result: LeaderboardInput, comparison: ReportData['comparison'], folder: string): string {
  const best = result.strategies.find((s) => s.name === result.best);
  if (!best) return '';
  const cost = `${calls(best.callsPerItem)}${usd(best.costPerItem)}`;
  const fit = `save it: fusion fit ${folder} --strategy ${best.name} --out ${best.name}.json`;
  if (!comparison) return `recommendation: use ${best.name}${cost ? ` (${cost})` : ''}; ${fit}`;
  const { model, onlyA, onlyB, pValue } = comparison;
  const p = pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toFixed(3)}`;
  const tally = `right on ${onlyA} items ${model} gets wrong, wrong on ${onlyB} it gets right`;
  if (pValue < 0.05 && onlyB > onlyA) {
    return `recommendation: use ${model} alone (1 call/item): ${best.name}, the best fusion here, is reliably worse (${tally}; paired test ${p}); save it: fusion fit ${folder} --strategy best-model --out best-model.json`;
  }
  const why =
    pValue < 0.05
      ? `it beats the best single model, ${model}, by more than chance would (${tally}; paired test ${p})`
      : `it is not shown better than the best single model, ${model} (${tally}; paired test ${p}: could be chance), which needs 1 call/item`;
  return `recommendation: use ${best.name}${cost ? ` (${cost})` : ''}: ${why}; ${fit}`;
}
