import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// Resolved from here: the child runs in a folder without node_modules.
const tsx = import.meta.resolve('tsx');

/** `fusion batches` in a folder no run used yet: nothing to list is not a mistake; a named file that is not there is. */
describe('fusion batches without a cache database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fusion-batches-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env };
  delete env.FUSION_CACHE_URL;

  it('with the default cache, in a real process started in a fresh folder: no batches, exit 0, nothing created', () => {
    const r = spawnSync(process.execPath, ['--import', tsx, cli, 'batches'], { cwd: dir, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^no batches: no cache database at \.fusion\/cache\.sqlite yet/);
    expect(r.stderr).toBe('');
    const json = spawnSync(process.execPath, ['--import', tsx, cli, 'batches', '--json'], { cwd: dir, env, encoding: 'utf8' });
    expect(json.status, json.stderr).toBe(0);
    expect(json.stdout).toBe('');
    expect(existsSync(join(dir, '.fusion'))).toBe(false);
  });

  it('with --cache naming a file that does not exist: a clear usage error (exit 2)', async () => {
    const path = join(dir, 'typo.sqlite');
    const r = await runCli(['batches', '--cache', path]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`no cache database at ${path} (named by --cache)`);
    expect(existsSync(path)).toBe(false);
  });
});
