import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './run-cli.js';

function newestSource(dir: string): { path: string; mtimeMs: number } {
  let newest = { path: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}

/**
 * The build the published package runs (dist/), checked before a test uses it: `npm ci` builds it
 * (the `prepare` script) and `npm test` does not build again, so a missing or stale dist/ is an
 * error that says what to run, never a silent skip or a test of old code.
 */
export function requireBuild(file: string): string {
  const path = join(repoRoot, 'dist', file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build (npm ci runs it)`);
  const source = newestSource(join(repoRoot, 'src'));
  if (source.mtimeMs > statSync(path).mtimeMs) throw new Error(`${path} is older than ${source.path}: run npm run build`);
  return path;
}
