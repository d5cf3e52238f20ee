import type { QaStrategy } from '../types.js';
import { createAuto } from './auto.js';
import { bestSingle } from './best-single.js';
import { central } from './central.js';
import { dawidSkene } from './dawid-skene.js';
import { majorityVote } from './majority-vote.js';
import { stacking } from './stacking.js';
import { weightedVote } from './weighted-vote.js';

/** The strategies `auto` chooses from, simplest first (ties in inner cross-validation go to the earlier one). */
export const QA_BASE_STRATEGIES: readonly QaStrategy[] = [majorityVote, central, dawidSkene, weightedVote, bestSingle, stacking];

export const QA_STRATEGIES: readonly QaStrategy[] = [...QA_BASE_STRATEGIES, createAuto(QA_BASE_STRATEGIES)];

export function qaStrategy(name: string): QaStrategy | undefined {
  return QA_STRATEGIES.find((s) => s.name === name);
}
