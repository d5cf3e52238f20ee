import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/data beside the checkout: real recorded answers, never committed. */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/**
 * The path of `../shared/data` (or of one set in it, when `set` is given) when it holds `file`
 * (the data README, or the set's responses.jsonl); null when it does not, so a test can skip on a
 * machine without the data. In CI (`CI` set) a missing file throws instead: the test file fails
 * loudly rather than skipping quietly, since CI always has the data beside the checkout.
 */
export function sharedData(set?: string, file = set === undefined ? 'README.md' : 'responses.jsonl'): string | null {
  const dir = set === undefined ? SHARED_DATA : join(SHARED_DATA, set);
  const path = join(dir, file);
  if (existsSync(path)) return set === undefined ? dir : `${dir}/`;
  if (process.env.CI) throw new Error(`${path} is missing: tests that read ../shared/data do not skip in CI (CI is set)`);
  return null;
}
