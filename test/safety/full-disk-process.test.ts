import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { ResponseSchema } from '../../src/task/schema.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { itemsOf, task, waitFor } from '../integration/setup.js';

const fixture = fakeServerFixture();
const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const MODEL = 'openai:gpt-4o-mini';
const ITEMS = 100;

// A real full disk without touching the machine: a tiny tmpfs mounted in a mount namespace of the
// child's own (user namespace: no privilege needed where the kernel allows it).
const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /tmp'], { stdio: 'ignore' }).status === 0;

interface Finished {
  status: number | string;
  stderr: string;
}

/**
 * Runs `fusion eval <folder> --models MODEL --cache <cache>` (or `command`, in sh syntax) in a mount namespace where `mounted`
 * (an empty directory) is a 1 MB tmpfs, holding a copy of `seed`. Once the fake server has received
 * its first request, the tmpfs is filled from outside (through /proc/PID/root) to `leavePages` free
 * pages: the answers arrive on a full disk. The tmpfs's content is copied to `out` when the CLI exits.
 */
async function runOnFillingTmpfs(
  server: { snapshot(): { requests: number }; env(): Record<string, string> },
  o: { mounted: string; seed: string; out: string; folder: string; cache: string; leavePages: number; command?: string },
): Promise<Finished> {
  const script = [
    'set -e',
    'mount -t tmpfs -o size=1m tmpfs "$MNT"',
    'cp -r "$SEED/." "$MNT/"',
    'set +e',
    `"${process.execPath}" --import tsx "${cliPath}" ${o.command ?? `eval "$FOLDER" --models ${MODEL} --cache "$CACHE" --concurrency 4 --quiet`}`,
    'rc=$?',
    'rm -f "$MNT/filler"',
    'cp -r "$MNT/." "$OUT/"',
    'exit $rc',
  ].join('\n');
  const child = spawn('unshare', ['-rm', 'sh', '-c', script], {
    cwd: repoRoot,
    env: { ...process.env, ...server.env(), MNT: o.mounted, SEED: o.seed, OUT: o.out, FOLDER: o.folder, CACHE: o.cache },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  try {
    await waitFor(() => server.snapshot().requests > 0, 60_000, 'the first request');
    const inside = `/proc/${child.pid}/root${o.mounted}`;
    const fs = statfsSync(inside);
    writeFileSync(join(inside, 'filler'), Buffer.alloc(Math.max(0, fs.bavail - o.leavePages) * fs.bsize));
    const status = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 90_000))]);
    if (status === 'hung') child.kill('SIGKILL');
    return { status, stderr };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

/** An eval folder with gold labels (so that the run goes on to evaluate once the answers are in). */
function writeFolder(dir: string): void {
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  const labels = ['positive', 'negative', 'neutral'];
  writeFileSync(join(dir, 'items.jsonl'), itemsOf(ITEMS).map((item, i) => `${JSON.stringify({ ...item, label: labels[i % 3] })}\n`).join(''));
}

function recorded(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ResponseSchema.parse(JSON.parse(l)).item);
}

/** A slow fake server and a temporary folder: `seed` holds an eval folder, `mnt` and `out` are empty, the cache is beside them. */
async function seededWorld() {
  const server = await fixture.start({ labels: ['positive', 'negative', 'neutral'], latencyMs: 150 });
  const { dir } = fixture.tempDir();
  const seed = join(dir, 'seed');
  const mounted = join(dir, 'mnt');
  const out = join(dir, 'out');
  for (const d of [seed, mounted, out]) mkdirSync(d);
  writeFolder(seed);
  return { server, seed, mounted, out, cache: join(dir, 'cache.sqlite') };
}

describe.skipIf(!canMount)('issue 22 case 15: a real full disk under fusion eval --models (tmpfs in a mount namespace)', () => {
  it('responses.jsonl on a full disk: exit 5, the file named, whole lines only, every paid answer in the cache; a re-run writes them without paying', async () => {
    const { server, seed, mounted, out, cache } = await seededWorld();
    // One free page: the journal of the first append fits, the answers themselves do not.
    const r = await runOnFillingTmpfs(server, { mounted, seed, out, folder: mounted, cache, leavePages: 1 });
    expect(r.status, r.stderr).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`answer\\(s\\) received but NOT written to ${mounted}/responses\\.jsonl \\([^)]*ENOSPC[^)]*\\); they are in the cache ${cache}: .*run the same command again, which writes them from the cache without paying`));
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    const paid = server.snapshot().successes;
    // It stopped asking once the file could not be written (the items already under way excepted).
    expect(paid).toBeLessThan(ITEMS);
    const store = new SqliteStore(cache);
    expect(await store.size()).toBe(paid);
    await store.close();
    expect(recorded(join(out, 'responses.jsonl'))).toEqual([]);

    // Room again (the folder copied to a normal disk): the same command writes the paid answers from the cache.
    const again = await runCli(['eval', out, '--models', MODEL, '--cache', cache, '--quiet'], { env: server.env() });
    expect(again.status, again.stderr).toBe(0);
    expect(server.snapshot().successes).toBe(ITEMS);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
    expect(new Set(recorded(join(out, 'responses.jsonl'))).size).toBe(ITEMS);
  }, 180_000);

  it('the cache on a full disk: every paid answer still reaches responses.jsonl, the run says how many the cache lost, exit 5', async () => {
    const server = await fixture.start({ labels: ['positive', 'negative', 'neutral'], latencyMs: 150 });
    const { dir } = fixture.tempDir();
    const seed = join(dir, 'seed');
    const mounted = join(dir, 'mnt');
    const out = join(dir, 'out');
    const folder = join(dir, 'folder');
    for (const d of [seed, mounted, out, folder]) mkdirSync(d);
    writeFolder(folder);
    const cache = join(mounted, 'cache.sqlite');
    const r = await runOnFillingTmpfs(server, { mounted, seed, out, folder, cache, leavePages: 0 });
    expect(r.status, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/answer\(s\) received but NOT saved in the cache \([^)]*(full|SQLITE_FULL)[^)]*\)/);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    // Every paid answer reached responses.jsonl; calls the full cache could not even claim were not made.
    const paid = server.snapshot().successes;
    expect(paid).toBeGreaterThan(0);
    expect(recorded(join(folder, 'responses.jsonl'))).toHaveLength(paid);
    // Nothing is lost or paid twice: with room again, a re-run asks only what was never paid for.
    const again = await runCli(['eval', folder, '--models', MODEL, '--cache', join(out, 'cache.sqlite'), '--quiet'], { env: server.env() });
    expect(again.status, again.stderr).toBe(0);
    expect(server.snapshot().successes).toBe(ITEMS);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
    expect(new Set(recorded(join(folder, 'responses.jsonl'))).size).toBe(ITEMS);
  }, 180_000);

  it('fusion run --output on a full disk: exit 5, every request sent answered and cached (none cut off in flight); a re-run pays nothing', async () => {
    const { server, seed, mounted, out, cache } = await seededWorld();
    const command = `run --task "$SEED/task.json" --input "$SEED/items.jsonl" --models ${MODEL} --cache "$CACHE" --concurrency 8 --output "$MNT/fused.jsonl"`;
    const r = await runOnFillingTmpfs(server, { mounted, seed, out, folder: mounted, cache, leavePages: 0, command });
    expect(r.status, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/--output .*fused\.jsonl could not be written \(ENOSPC[^)]*\)(; the lines written are in .*fused\.jsonl\.partial-\S+)?; the answers received are in the cache/);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    const { requests, successes } = server.snapshot();
    expect(successes).toBeLessThan(ITEMS);
    // The disk filling is no reason to cut calls already sent: each was paid, and is kept.
    expect(requests, r.stderr).toBe(successes);
    const store = new SqliteStore(cache);
    expect(await store.size()).toBe(successes);
    await store.close();

    const again = await runCli(['run', '--task', join(seed, 'task.json'), '--input', join(seed, 'items.jsonl'), '--models', MODEL, '--cache', cache, '--output', join(out, 'fused.jsonl')], { env: server.env() });
    expect(again.status, again.stderr).toBe(0);
    expect(server.snapshot().successes).toBe(ITEMS);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
  }, 180_000);
});
