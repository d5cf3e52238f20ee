import { centralEstimator } from './central.js';
import { medianOf } from './judge-scores.js';
import { ratingStrategy } from './point-estimator.js';

/** The median of the judges' readable scores: one judge far off cannot move it. */
export const medianEstimator = centralEstimator('median', medianOf);
export const medianRating = ratingStrategy(medianEstimator);
