/**
 * The flags every benchmark over the shared dev sets takes: where the data is (`../shared/data`
 * beside the checkout by default, as a file path, so a checkout under a path with a space works),
 * the set(s), the number of folds and the fold seed.
 */
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));

/** parseArgs options for --data, --set (or --sets), --folds and --seed. */
export function setArgs<N extends 'set' | 'sets'>(name: N, sets: string) {
  return {
    data: { type: 'string', default: SHARED_DATA },
    [name]: { type: 'string', default: sets },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  } as { data: { type: 'string'; default: string }; folds: { type: 'string'; default: string }; seed: { type: 'string'; default: string } } & Record<N, { type: 'string'; default: string }>;
}
