import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';
import { LABELS, MODELS, itemsOf, task, writeFolder } from '../integration/setup.js';

const fixture = fakeServerFixture();

describe('--cache names a store; --shard takes a share of the items', () => {
  it('an unknown scheme in --cache or FUSION_CACHE_URL is a usage error (exit 2), never a folder named after it', async () => {
    const { server, t } = await startWithTask(fixture);
    const input = `${JSON.stringify(itemsOf(1)[0])}\n`;
    const cwd = process.cwd();
    process.chdir(t.dir);
    try {
      for (const [args, env, named] of [
        [['--cache', 'foo://host/db'], {}, '--cache foo://...'],
        [['--cache', 'postgres:db'], {}, '--cache postgres:...'],
        [['--cache', 'postgres:u:hunter2@h/db'], {}, '--cache postgres:...'],
        [[], { FUSION_CACHE_URL: 'mysql://u:hunter2@h/db' }, 'FUSION_CACHE_URL=mysql://...'],
      ] as const) {
        const r = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, ...args], { input, env: { ...server.env(), ...env } });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/unknown store scheme|PostgreSQL store is named/);
        // Named as the user gave it (the flag or the variable), and never with its password.
        expect(r.stderr).toContain(`fusion: ${named}:`);
        expect(r.stderr).not.toContain('hunter2');
      }
      expect(existsSync(join(t.dir, 'foo:'))).toBe(false);
      expect(existsSync(join(t.dir, 'postgres:db'))).toBe(false);
      expect(existsSync(join(t.dir, 'mysql:'))).toBe(false);
      expect(server.snapshot().requests).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a FUSION_CLAIM_LEASE_MS that is not a whole number of milliseconds in range is a usage error before any call, not a silent 30 s', async () => {
    const { server, t } = await startWithTask(fixture);
    const input = `${JSON.stringify(itemsOf(1)[0])}\n`;
    const args = ['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--cache', join(t.dir, 'c.sqlite')];
    for (const bad of ['abc', '0', '10', '1.5', '1e99']) {
      const r = await runCli(args, { input, env: { ...server.env(), FUSION_CLAIM_LEASE_MS: bad } });
      expect(r.status, `${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`FUSION_CLAIM_LEASE_MS: must be a whole number of milliseconds from 100 to 86400000, got "${bad}"`);
    }
    expect(server.snapshot().requests).toBe(0);
    const ok = await runCli(args, { input, env: { ...server.env(), FUSION_CLAIM_LEASE_MS: '5000' } });
    expect(ok.status, ok.stderr).toBe(0);
  });

  it('FUSION_CACHE_URL names the store when --cache does not', async () => {
    const { server, t } = await startWithTask(fixture);
    const input = itemsOf(3).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const env = { ...server.env(), FUSION_CACHE_URL: join(t.dir, 'from-env.sqlite') };
    const args = ['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string];
    expect((await runCli(args, { input, env })).status).toBe(0);
    expect(existsSync(join(t.dir, 'from-env.sqlite'))).toBe(true);
    const again = await runCli(args, { input, env });
    expect(again.stderr).toMatch(/total: 0 request\(s\), 3 cache hit/);
  });

  it('--shard K/N answers only the items of shard K, in input order; bad values are usage errors', async () => {
    const { server, t } = await startWithTask(fixture);
    const items = itemsOf(30);
    const input = items.map((i) => JSON.stringify(i)).join('\n') + '\n';
    const base = ['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--cache', join(t.dir, 'c.sqlite')];
    const ids = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
    const a = await runCli([...base, '--shard', '0/3'], { input, env: server.env() });
    const b = await runCli([...base, '--shard', '1/3'], { input, env: server.env() });
    const c = await runCli([...base, '--shard', '2/3'], { input, env: server.env() });
    for (const r of [a, b, c]) expect(r.status, r.stderr).toBe(0);
    const all = [...ids(a.stdout), ...ids(b.stdout), ...ids(c.stdout)];
    expect([...all].sort()).toEqual(items.map((i) => i.id).sort());
    expect(ids(a.stdout)).toEqual(items.map((i) => i.id).filter((id) => ids(a.stdout).includes(id)));
    expect(server.snapshot().successes).toBe(30);
    for (const [bad, why] of [['3/3', /K must be between 0 and N-1/], ['x', /expected K\/N/], ['1/0', /N must be at least 1/], ['1/99999999999999999999', /N must be at most/]] as const) {
      const r = await runCli([...base, '--shard', bad], { input, env: server.env() });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(why);
    }
    const noCache = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--no-cache', '--shard', '0/2'], { input, env: server.env() });
    expect(noCache.status).toBe(2);
  });

  it('fusion eval --models --shard with --json, --html or --report is a usage error before any call: a shard worker evaluates nothing, so the file would never be written', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const folder = join(t.dir, 'set');
    mkdirSync(folder);
    writeFolder(folder, 6);
    const base = ['eval', folder, '--models', MODELS[0] as string, '--cache', join(t.dir, 'c.sqlite'), '--shard', '0/2'];
    for (const flag of ['--json', '--html', '--report']) {
      const out = join(t.dir, `out-${flag.slice(2)}`);
      const r = await runCli([...base, flag, out], { env: server.env() });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--shard only fills the store, it evaluates nothing: ${flag}`);
      expect(existsSync(out)).toBe(false);
    }
    expect(server.snapshot().requests).toBe(0);
    const worker = await runCli(base, { env: server.env() });
    expect(worker.status, worker.stderr).toBe(0);
  });
});
