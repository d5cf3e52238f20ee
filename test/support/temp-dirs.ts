import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Temp folders removed after each test, every one made (a single `cleanup` variable per file kept
 * only the last): called once at a test file's top level; the function it returns makes a folder.
 */
export function tempDirsEach(prefix = 'fusion-'): () => { dir: string } {
  let dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return { dir };
  };
}
