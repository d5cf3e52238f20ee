import { centralEstimator } from './central.js';
import { meanOf } from './judge-scores.js';
import { ratingStrategy } from './point-estimator.js';

/** The plain mean of the judges' readable scores: the jury's usual rule. */
export const meanEstimator = centralEstimator('mean', meanOf);
export const meanRating = ratingStrategy(meanEstimator);
