import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { LABELS, MODELS, itemsOf, task, writeFolder } from '../integration/setup.js';

const fixture = fakeServerFixture();
const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The CLI in a real child process, started now, settled when it exits (the fake server keeps serving meanwhile). */
function startCli(args: string[], env: Record<string, string>, input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('issue 11 case 1: two runs never pay for the same call', () => {
  it('two fusion eval --models on one folder at once: the second stops with a clear message, nothing is paid twice', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 30 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), itemsOf(40).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const args = ['eval', t.dir, '--models', MODELS.join(','), '--cache', join(t.dir, 'cache.sqlite'), '--concurrency', '4', '--quiet', '--strategies', 'majority-vote'];
    const [a, b] = await Promise.all([startCli(args, server.env()), startCli(args, server.env())]);
    // Whichever started first records; the other stops at once with exit 2 and says why.
    expect([a.status, b.status].sort()).toEqual([0, 2]);
    const loser = a.status === 2 ? a : b;
    expect(loser.stderr).toMatch(/is in use by another fusion run/);
    const stats = server.snapshot();
    expect(stats.duplicateSuccesses).toBe(0);
    expect(stats.successes).toBe(120);
    const lines = readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(120);
    // The folder is still readable (no duplicate response) and a re-run makes no call.
    const again = await startCli(args, server.env());
    expect(again.stderr).toMatch(/recorded 0 answer\(s\) \(0 from the cache\), 120 already present/);
    expect(server.snapshot().requests).toBe(stats.requests);
  }, 60_000);

  it('two fusion run processes sharing one cache pay for each call once', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 150 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const input = itemsOf(40).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const args = ['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--cache', join(t.dir, 'shared', 'cache.sqlite'), '--concurrency', '6'];
    const [a, b] = await Promise.all([startCli(args, server.env(), input), startCli(args, server.env(), input)]);
    expect([a.status, b.status], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    expect(a.stdout.trim().split('\n')).toHaveLength(40);
    expect(b.stdout.trim().split('\n')).toHaveLength(40);
    const stats = server.snapshot();
    expect(stats.duplicateSuccesses).toBe(0);
    expect(stats.successes).toBe(120);
    // Both outputs carry the same answers.
    const labels = (out: string) => out.trim().split('\n').map((l) => (JSON.parse(l) as { label: string }).label);
    expect(labels(a.stdout)).toEqual(labels(b.stdout));
    // No claim is left behind, and the cache is private (issue 11 case 8).
    const db = new Database(join(t.dir, 'shared', 'cache.sqlite'), { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM claims').get() as { n: number }).n).toBe(0);
    db.close();
    expect(statSync(join(t.dir, 'shared', 'cache.sqlite')).mode & 0o777).toBe(0o600);
    expect(statSync(join(t.dir, 'shared')).mode & 0o777).toBe(0o700);
  }, 60_000);

  it('two fusion run --output same.jsonl at once: the loser exits 2 after its summary, saying where its lines are; nothing is paid twice', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 150 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const input = itemsOf(40).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const out = join(t.dir, 'same.jsonl');
    const args = ['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--cache', join(t.dir, 'cache.sqlite'), '--concurrency', '6', '--output', out];
    const [a, b] = await Promise.all([startCli(args, server.env(), input), startCli(args, server.env(), input)]);
    expect([a.status, b.status].sort(), `${a.stderr}\n${b.stderr}`).toEqual([0, 2]);
    const [winner, loser] = a.status === 0 ? [a, b] : [b, a];
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(40);
    // What the loser did, as every other exit says it: lines written, where they are, calls and money.
    expect(loser.stderr).toMatch(/fusion run: 40 line\(s\) written/);
    const kept = /this run's lines are in (\S+)/.exec(loser.stderr)?.[1];
    expect(kept, loser.stderr).toBeDefined();
    expect(readFileSync(kept as string, 'utf8').trim().split('\n')).toHaveLength(40);
    expect(loser.stderr).toMatch(/total: \d+ request\(s\), \d+ cache hit\(s\), 0 failed, \$[\d.]+ spent in this run/);
    expect(winner.stderr).toMatch(/total: \d+ request\(s\)/);
    const stats = server.snapshot();
    expect(stats.duplicateSuccesses).toBe(0);
    expect(stats.successes).toBe(120);
  }, 60_000);

  it('a lock left by a run killed with SIGKILL on this machine is taken over at once', async () => {
    const { server, t } = await startWithTask(fixture);
    writeFileSync(join(t.dir, 'items.jsonl'), itemsOf(3).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    // A run that took the lock and was killed: the lock (fresh, so not yet stale by age) and its dead pid remain.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    mkdirSync(join(t.dir, '.fusion.lock'));
    writeFileSync(join(t.dir, '.fusion.lock.pid'), `${dead}\n`);
    const r = await startCli(['eval', t.dir, '--models', MODELS[0] as string, '--no-cache', '--strategies', 'majority-vote', '--quiet'], server.env());
    expect(r.stderr).not.toMatch(/in use/);
    expect(r.status).toBe(0);
    expect(server.snapshot().successes).toBe(3);
  });

  it('a run on a folder locked by a live run stops with exit 2 before any call', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFolder(t.dir, 3);
    const { default: lockfile } = await import('proper-lockfile');
    const release = lockfile.lockSync(t.dir, { lockfilePath: join(t.dir, '.fusion.lock'), realpath: false });
    try {
      const r = await runCli(['eval', t.dir, '--models', MODELS[0] as string, '--no-cache', '--folds', '3'], { env: server.env() });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/is in use by another fusion run/);
      expect(server.snapshot().requests).toBe(0);
    } finally {
      release();
    }
  });
});
