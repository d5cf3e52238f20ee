/** The range a rating task's scores lie in, both ends included (`{min: 1, max: 5}`). */
export interface Scale {
  min: number;
  max: number;
}

/** A usable scale: finite ends with min < max. */
export function isValidScale(scale: Scale): boolean {
  return Number.isFinite(scale.min) && Number.isFinite(scale.max) && scale.min < scale.max;
}

/** Whether a score lies on the scale (ends included). NaN never does. */
export function onScale(score: number, scale: Scale): boolean {
  return score >= scale.min && score <= scale.max;
}

/** Whether the scale is in whole steps of `step` (integer ends when step is 1), so that QWK and within-one-step apply. */
export function isStepScale(scale: Scale, step = 1): boolean {
  if (!(step > 0)) return false;
  const span = (scale.max - scale.min) / step;
  return Number.isInteger(scale.min / step) && Math.abs(span - Math.round(span)) < 1e-9 && Math.round(span) >= 1;
}

/** `1-5`, `0-100`: how reports and messages name a scale. */
export function formatScale(scale: Scale): string {
  return `${scale.min}-${scale.max}`;
}
