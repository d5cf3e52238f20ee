import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../support/built-package.js';
import { repoRoot } from '../support/run-cli.js';

/**
 * The package as another project gets it: `npm pack` (what a registry or a git URL install would
 * unpack), unpacked into a temp project's node_modules the way npm lays a tarball out, the
 * package's own dependencies linked from this checkout's node_modules (no network), the bin linked
 * into node_modules/.bin. Then `npx fusion` and `import 'llm-fusion'` from that project.
 */
describe('installed from the packed tarball into another project', () => {
  const project = mkdtempSync(join(tmpdir(), 'fusion-consumer-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('npx fusion --help, an eval of a bundled set and one library call work there', () => {
    requireBuild('index.js');
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: repoRoot, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const { filename, files } = (JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[])[0] as { filename: string; files: { path: string }[] };
    expect(files.some((f) => f.path === 'dist/cli/main.js')).toBe(true);
    expect(files.some((f) => f.path.startsWith('src/') || f.path.startsWith('test/'))).toBe(false);

    const modules = join(project, 'node_modules');
    mkdirSync(join(modules, '.bin'), { recursive: true });
    expect(spawnSync('tar', ['-xzf', join(project, filename), '-C', project]).status).toBe(0);
    spawnSync('mv', [join(project, 'package'), join(modules, 'llm-fusion')]);
    const manifest = JSON.parse(readFileSync(join(modules, 'llm-fusion', 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
    const available = new Set(readdirSync(join(repoRoot, 'node_modules')));
    for (const dep of Object.keys(manifest.dependencies)) {
      const scope = dep.startsWith('@') ? dep.split('/')[0] as string : undefined;
      if (scope) {
        mkdirSync(join(modules, scope), { recursive: true });
        if (!available.has(scope)) continue;
      }
      symlinkSync(join(repoRoot, 'node_modules', dep), join(modules, dep));
    }
    // The dependencies' own dependencies resolve from their real location (this checkout's node_modules).
    symlinkSync(join('..', 'llm-fusion', manifest.bin.fusion as string), join(modules, '.bin', 'fusion'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true, dependencies: { 'llm-fusion': `file:${filename}` } }));

    const help = spawnSync('npx', ['--no-install', 'fusion', '--help'], { cwd: project, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: fusion <command>/);

    const evalRun = spawnSync('npx', ['--no-install', 'fusion', 'eval', join(repoRoot, 'evals/toxicity-en'), '--strategies', 'majority-vote'], { cwd: project, encoding: 'utf8' });
    expect(evalRun.status, evalRun.stderr).toBe(0);
    expect(evalRun.stdout).toMatch(/\* majority-vote +strategy +96\.0/);

    writeFileSync(
      join(project, 'use.mjs'),
      `import { evaluate } from 'llm-fusion';
const r = await evaluate(${JSON.stringify(join(repoRoot, 'evals/toxicity-en'))}, { strategies: ['majority-vote'] });
console.log(JSON.stringify({ accuracy: r.strategies[0].accuracy }));
`,
    );
    const lib = spawnSync('node', ['use.mjs'], { cwd: project, encoding: 'utf8' });
    expect(lib.status, lib.stderr).toBe(0);
    expect((JSON.parse(lib.stdout) as { accuracy: number }).accuracy).toBeCloseTo(0.96, 3);
  }, 120_000);
});
