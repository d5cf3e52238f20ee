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

/** `1-5`, `0-100`: how reports and messages name a scale. */
export function formatScale(scale: Scale): string {
  return `${scale.min}-${scale.max}`;
}
