import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The reports and fitted strategies (writeFileAtomic) are written whole to a temporary file beside
// the output and renamed into place: a process killed while writing leaves the old file as it was
// (or none), never half a file. A real process, killed with SIGKILL once its temporary file holds
// part of the text.
const safeWrite = fileURLToPath(new URL('../../src/task/safe-write.ts', import.meta.url));

describe('an output being written when the process is killed', () => {
  it('leaves the old file whole, and the new one only ever whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fusion-atomic-'));
    const target = join(dir, 'report.json');
    writeFileSync(target, '{"task": "old"}\n');
    const size = 256 * 1024 * 1024;
    const script = `import { writeFileAtomic } from ${JSON.stringify(safeWrite)}; writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(${size}));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let caught = false;
    const deadline = Date.now() + 20_000;
    // Kill it as soon as its temporary file holds part of the text.
    while (Date.now() < deadline) {
      const tmp = readdirSync(dir).find((f) => f.startsWith('.report.json.tmp-'));
      if (tmp && (statSync(join(dir, tmp), { throwIfNoEntry: false })?.size ?? 0) > 0) {
        child.kill('SIGKILL');
        caught = true;
        break;
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    await exited;
    const text = readFileSync(target, 'utf8');
    // Killed mid-write: the old file; finished before the kill landed: the new one, whole.
    expect(text === '{"task": "old"}\n' || text.length === size).toBe(true);
    expect(caught).toBe(true);
  }, 30_000);
});
