import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The checker `npm test` runs (npm run check:layers), with the project's own rules, on small source
// trees written here: a clean one must pass, so the upward import and the cycle are what fail the others.
const root = fileURLToPath(new URL('../../', import.meta.url));
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes a tree of TypeScript files (path -> source) and runs the checker on its src/. */
function check(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fusion-layers-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const r = spawnSync(process.execPath, [depcruise, 'src', '--config', config], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const clean = {
  'src/task/schema.ts': 'export type Label = string;\n',
  'src/normalize/label.ts': "import type { Label } from '../task/schema.js';\nexport const same = (a: Label, b: Label): boolean => a === b;\n",
  'src/fuse/vote.ts': "import { same } from '../normalize/label.js';\nexport const vote = (a: string, b: string): boolean => same(a, b);\n",
  'src/cli/main.ts': "import { vote } from '../fuse/vote.js';\nexport const main = (): boolean => vote('a', 'a');\n",
  'src/index.ts': "export { main } from './cli/main.js';\n",
};

describe('the layer rules (.dependency-cruiser.cjs)', () => {
  it('pass a tree whose imports all point down', () => {
    const r = check(clean);
    expect(r.output).not.toMatch(/error/);
    expect(r.status).toBe(0);
  });

  it('fail on an import that points up a layer, naming the rule and the files', () => {
    const r = check({ ...clean, 'src/normalize/label.ts': "import { vote } from '../fuse/vote.js';\nexport const same = (a: string, b: string): boolean => a === b && vote(a, b);\n" });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('normalize-points-down: src/normalize/label.ts → src/fuse/vote.ts');
  });

  it('fail when a provider adapter imports the orchestration, or the orchestration imports the CLI', () => {
    const r = check({
      ...clean,
      'src/orchestrate/retry.ts': "export const attempts = 5;\nexport { main } from '../cli/main.js';\n",
      'src/providers/openai.ts': "import { attempts } from '../orchestrate/retry.js';\nexport const n = attempts;\n",
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('providers-at-the-edge: src/providers/openai.ts → src/orchestrate/retry.ts');
    expect(r.output).toContain('orchestrate-at-the-edge: src/orchestrate/retry.ts → src/cli/main.ts');
  });

  it('fail on a type-only upward import too', () => {
    const r = check({ ...clean, 'src/task/schema.ts': "import type { main } from '../cli/main.js';\nexport type Label = ReturnType<typeof main> extends boolean ? string : never;\n" });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('task-points-down: src/task/schema.ts → src/cli/main.ts');
  });

  it('fail on an import cycle inside one layer', () => {
    const r = check({
      ...clean,
      'src/fuse/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
      'src/fuse/b.ts': "import { a } from './a.js';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n",
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('no-circular');
  });
});
