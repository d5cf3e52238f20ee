import { z } from 'zod';
import { modelPrediction } from './answer-matrix.js';
import { innerScore } from './inner-cv.js';
import { alignModels, checkLabels } from './model-alignment.js';
import { requireLabelledRows, type FittedStrategy, type FusionStrategy } from './strategy.js';
import { parseState } from './strategy-state.js';

const NAME = 'best-model';

const StateSchema = z.object({
  /** Models from best to worst training score (`innerScore`, in the kind's figure): the first one that answered decides. */
  ranking: z.array(z.string()),
  scores: z.array(z.number()),
});
type BestModelState = z.infer<typeof StateSchema>;

function fitted(state: BestModelState, labels: readonly string[]): FittedStrategy {
  return {
    name: NAME,
    predict(answers) {
      checkLabels(NAME, labels, answers);
      const K = answers.labels.length;
      const M = answers.models.length;
      const N = answers.itemIds.length;
      const cols = Array.from(alignModels(state.ranking, answers)).filter((j) => j >= 0);
      const probs = new Float64Array(N * K);
      const decided = new Uint8Array(N);
      for (let i = 0; i < N; i++) {
        for (const j of cols) {
          if (answers.present[i * M + j] === 0) continue;
          decided[i] = 1;
          probs.set(answers.probs.subarray((i * M + j) * K, (i * M + j + 1) * K), i * K);
          break;
        }
      }
      return { probs, decided };
    },
    state: () => state,
    modelTrust: () => Object.fromEntries(state.ranking.map((m, r) => [m, state.ranking.length - r])),
    explain(answers, i) {
      const M = answers.models.length;
      const K = answers.labels.length;
      const rank = new Map(state.ranking.map((m, r) => [m, r]));
      let chosen = -1;
      let best = Infinity;
      answers.models.forEach((m, j) => {
        const r = rank.get(m);
        if (r !== undefined && r < best && answers.present[i * M + j] === 1) {
          best = r;
          chosen = j;
        }
      });
      return answers.models.map((model, j) => {
        let answer: string | null = null;
        if (answers.present[i * M + j] === 1) {
          let top = 0;
          for (let k = 1; k < K; k++) if ((answers.probs[(i * M + j) * K + k] as number) > (answers.probs[(i * M + j) * K + top] as number)) top = k;
          answer = labels[top] as string;
        }
        return { model, answer, weight: j === chosen ? 1 : 0, influence: j === chosen ? 1 : 0 };
      });
    },
  };
}

/**
 * The single model with the best training score in the kind's figure (`innerScore`; falling back to the next best
 * where it abstained): a baseline `auto` can fall back to when fusing does not pay.
 */
export const bestModelStrategy: FusionStrategy = {
  name: NAME,
  supervised: true,
  fit(train, gold, { right, metric }) {
    requireLabelledRows(NAME, gold);
    const scored = train.models.map((model, j) => {
      return { model, score: innerScore(gold, modelPrediction(train, j), train, right, metric) };
    });
    scored.sort((a, b) => b.score - a.score);
    return fitted({ ranking: scored.map((s) => s.model), scores: scored.map((s) => s.score) }, train.labels);
  },
  load: (state, labels) => fitted(parseState(NAME, StateSchema, state), labels),
};
