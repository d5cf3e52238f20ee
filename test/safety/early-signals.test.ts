import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../support/built-package.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { repoRoot } from '../support/run-cli.js';
import { LABELS, MODELS, cachedAnswers, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/** Delays after Node has booted and begun running JavaScript (the marker below): all fall while the CLI loads its modules and opens its store. */
const DELAYS_MS = [150, 300, 450];

/**
 * The `fusion` bin as installed (dist/), in a process of its own, sent SIGTERM `delayMs` after Node
 * starts running JavaScript (a preloaded module writes a marker first: before that instant no
 * program can handle a signal, and Node itself is the default's 143). `input` undefined: stdin is
 * left open with nothing written.
 */
async function terminatedEarly(args: readonly string[], env: Record<string, string>, input: string | undefined, delayMs: number): Promise<{ code: number | string; err: string }> {
  const bin = requireBuild('cli/main.js');
  const marker = 'data:text/javascript,process.stderr.write("js-started\\n")';
  const child = spawn(process.execPath, ['--import', marker, bin, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stdout.resume();
  child.stdin.on('error', () => undefined);
  // undefined: stdin stays open and sends nothing (a producer that has not written yet).
  if (input !== undefined) child.stdin.end(input);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  await new Promise<void>((resolve) =>
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('js-started')) resolve();
    }),
  );
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
  if (code === 'hung') child.kill('SIGKILL');
  child.stdin.destroy();
  return { code, err };
}

describe('a stop signal in the first moments of a run is the documented exit 130, not a kill', () => {
  it.each(DELAYS_MS)('fusion run gets SIGTERM %i ms after Node started: exit 130, the summary, nothing paid is lost', async (delayMs) => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 200 });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    const cache = join(dir, 'c.sqlite');
    const input = itemsOf(50).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const { code, err } = await terminatedEarly(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--cache', cache], server.env(), input, delayMs);
    expect(code, err).toBe(130);
    expect(err).toContain('interrupted (SIGTERM)');
    expect(err).toMatch(/stopped: interrupted; \d+ call\(s\) not issued\. Re-run the same command to resume/);
    expect(cachedAnswers(cache)).toBe(server.snapshot().successes);
  }, 120_000);

  it.each(DELAYS_MS)('fusion eval --models gets SIGTERM %i ms after Node started: exit 130, the folder lock released', async (delayMs) => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 200 });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(dir, 'items.jsonl'), itemsOf(30).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const args = ['eval', dir, '--models', MODELS.join(','), '--cache', join(dir, 'c.sqlite'), '--quiet', '--strategies', 'majority-vote', '--folds', '2'];
    const { code, err } = await terminatedEarly(args, server.env(), '', delayMs);
    expect(code, err).toBe(130);
    expect(existsSync(join(dir, '.fusion.lock'))).toBe(false);
    const recorded = existsSync(join(dir, 'responses.jsonl')) ? readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n').filter(Boolean).length : 0;
    expect(recorded).toBe(server.snapshot().successes);
  }, 120_000);

  it('fusion run whose stdin is open and silent gets SIGTERM early: it stops reading at once, exit 130 (no hang waiting for a first line)', async () => {
    const server = await fixture.start({ labels: LABELS });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    const { code, err } = await terminatedEarly(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--cache', join(dir, 'c.sqlite')], server.env(), undefined, 250);
    expect(code, err).toBe(130);
    expect(server.snapshot().requests).toBe(0);
  }, 120_000);

  it('fusion run --batch, reading a silent open stdin whole, gets SIGTERM early: exit 130, nothing asked', async () => {
    const server = await fixture.start({ labels: LABELS });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    const { code, err } = await terminatedEarly(['run', '--batch', '--task', join(dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', join(dir, 'c.sqlite')], server.env(), undefined, 250);
    expect(code, err).toBe(130);
    expect(err).toContain('interrupted while reading the input; nothing was asked');
    expect(server.snapshot().requests).toBe(0);
  }, 120_000);

  it('a command that asks no model still dies by the signal, as without the hold', async () => {
    const { dir } = fixture.tempDir();
    const { code } = await terminatedEarly(['fuse', join(dir, 'missing')], {}, '', 150);
    expect(code).toBe('SIGTERM');
  }, 60_000);
});
