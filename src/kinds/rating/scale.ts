/** The range of a rating task's scores, both ends included (e.g. 1-5 stars, 0-100 points). */
export interface Scale {
  min: number;
  max: number;
}
