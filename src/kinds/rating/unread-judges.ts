import type { CalibratedState } from './calibrated.js';
import type { RatingMatrix } from './rating-matrix.js';

/**
 * `s` without the judges that gave no readable score on any item of `train` among those it uses:
 * the rating policy's counterpart of the categorical policy's never-read calls
 * (src/fuse/adaptive/unread-columns.ts). Such a judge never scored where the maps were fitted, so it
 * moves no fused score there; left in, the policy would still ask it once the others leave the score
 * unsettled, and pay for an answer it learnt nothing about. Unchanged when no judge read at all.
 */
export function withoutUnreadJudges(s: CalibratedState, train: RatingMatrix): CalibratedState {
  const J = train.judges.length;
  const read = new Set<string>();
  for (let i = 0; i < train.itemIds.length; i++) {
    for (let c = 0; c < J; c++) if (!Number.isNaN(train.scores[i * J + c] as number)) read.add(train.judges[c] as string);
  }
  const use = s.use.filter((j) => read.has(s.judges[j] as string));
  return use.length === 0 || use.length === s.use.length ? s : { ...s, use };
}
