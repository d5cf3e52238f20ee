import type { StreamFuser } from '../../fuse/stream-fuser.js';
import { StrategyError } from '../../fuse/strategy.js';
import { type RatingItem, RatingItemSchema, type RatingTask, askedText } from '../../task/schema.js';
import type { RawModelAnswer } from '../raw-answer.js';
import { type FusedLineBase, markLine, newCost, unanswered } from '../row-parts.js';
import type { RunKind } from '../task-kind.js';
import { buildRatingMatrix, type RatingMatrix, readAnswerScore, type ScoreReader } from './rating-matrix.js';
import { readScore } from './read-score.js';
import type { RatingPolicy, RatingPrediction } from './strategy.js';

/** One judge's answer as shown in `fusion run` output. */
export interface RatingAnswerLine {
  model: string;
  sample?: number;
  output: string | null;
  /** The score read from the output, or null when it gave none. */
  score: number | null;
  abstain?: string;
  error?: string;
}

/** One output line of `fusion run` on a rating task: `{id, score, interval, answers}`. */
export interface RatingFusedLine extends FusedLineBase {
  /** The fused score, or null when no judge gave a readable one. */
  score: number | null;
  /** Where the score lies with the strategy's interval level (default 80%), clipped to the scale; null when undecided. */
  interval: [number, number] | null;
  answers: RatingAnswerLine[];
}

/** A run's fuser of rating tasks: rates a batch's rating matrix (the categorical `decide` does not apply). */
export interface RatingStreamFuser extends StreamFuser {
  rate(m: RatingMatrix): RatingPrediction;
}

function isRatingFuser(f: StreamFuser): f is RatingStreamFuser {
  return typeof (f as Partial<RatingStreamFuser>).rate === 'function';
}

/** A rating fuser from a rate function (and, for a strategy that asks, its policy): the categorical members refuse, naming why. */
export function ratingFuser(
  name: string,
  batchSize: number,
  rate: (m: RatingMatrix) => RatingPrediction,
  models?: readonly string[],
  policy?: RatingPolicy,
  withMaxCalls?: (maxCalls: number) => RatingStreamFuser,
): RatingStreamFuser {
  const refuse = (): never => {
    throw new StrategyError(`${name} rates scores: label distributions (--min-confidence) do not apply to rating tasks`);
  };
  const fuser: RatingStreamFuser = { name, batchSize, ...(models ? { models } : {}), rate, decide: refuse, fuse: refuse };
  // The fused score replays the policy on the answers it asked for, and which judges it asked decides
  // what reads them (adaptive's prefix fits): a strategy that can be capped caps both; else the asking.
  return policy ? { ...fuser, policy, capped: (maxCalls) => withMaxCalls?.(maxCalls) ?? ratingFuser(name, batchSize, rate, models, policy.withMaxCalls(maxCalls)) } : fuser;
}

/** One item's answers so far as a one-item rating matrix whose judges are the run's models (NaN: not asked, or no readable score). */
export function oneItemMatrix(models: readonly string[], answers: readonly RawModelAnswer[], scale: RatingTask['scale'], read: ScoreReader = readScore): RatingMatrix {
  const scores = Float64Array.from(models, (_, j) => {
    const a = answers[j];
    if (a?.status !== 'ok') return Number.NaN;
    const reading = readAnswerScore(read, a, scale);
    return reading.kind === 'score' ? reading.score : Number.NaN;
  });
  return { itemIds: ['item'], judges: [...models], scale, scores, features: [], groups: null };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Rating in `fusion run` and `fuse()`: {"id", "text"} items, each judge's score read and fused with an interval. */
export function ratingKind(task: RatingTask, read: ScoreReader = readScore): RunKind<RatingItem, RatingFusedLine> {
  const scale = task.scale;
  return {
    kind: task.kind,
    schema: RatingItemSchema.extend({ text: askedText }),
    answerField: 'score',
    // The 80% interval's ends beside the score: a table has no cell for a pair.
    tableColumns: ['score', 'low', 'high'],
    tableCells: (line) => ({ score: line.score, low: line.interval?.[0] ?? null, high: line.interval?.[1] ?? null }),
    itemOf: (text, id) => ({ id, text }),
    read: (_item, models) => (answers) => oneItemMatrix(models, answers, scale, read),
    fuse(items, _models, fuser) {
      if (!isRatingFuser(fuser)) throw new StrategyError(`${fuser.name} fuses labels, not scores: use a rating strategy (fusion fit on a rating folder)`);
      // Each answer is read once: the same reading fills the matrix and the answer's line.
      const readings = items.map(({ answers }) => answers.map((a) => (a.status === 'ok' ? readAnswerScore(read, a, scale) : undefined)));
      const responses = items.flatMap(({ item, answers }, i) =>
        answers.flatMap((a, k) =>
          a.status === 'ok'
            ? [{ item: item.id, model: a.model, output: a.output, ...(a.sample === undefined ? {} : { sample: a.sample }), ...(a.cut ? { cut: true } : {}), reading: readings[i]![k]! }]
            : [],
        ),
      );
      const { matrix } = buildRatingMatrix({ items: items.map(({ item }) => ({ id: item.id, text: item.text })), responses, scale }, read);
      // Strategies find each judge's column by name, so the run's model order needs no re-alignment.
      const p = fuser.rate(matrix);
      return items.map(({ item, answers }, i): RatingFusedLine => {
        const lines = answers.map((a: RawModelAnswer, k): RatingAnswerLine => {
          const s = a.sample === undefined ? {} : { sample: a.sample };
          if (a.status !== 'ok') return unanswered(a, 'score');
          const reading = readings[i]![k]!;
          return reading.kind === 'score' ? { model: a.model, ...s, output: a.output, score: reading.score } : { model: a.model, ...s, output: a.output, score: null, abstain: reading.reason };
        });
        const score = p.score[i] as number;
        const decided = Number.isFinite(score);
        const line: RatingFusedLine = {
          id: item.id,
          score: decided ? round(score) : null,
          interval: decided ? [round(p.low[i] as number), round(p.high[i] as number)] : null,
          answers: lines,
          cost: newCost(answers),
        };
        markLine(line, undefined, i, answers, decided);
        return line;
      });
    },
    decided: (line) => line.score !== null,
  };
}
