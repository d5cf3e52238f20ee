import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../support/built-package.js';
import { readmeExamples } from '../support/readme-examples.js';
import { repoRoot } from '../support/run-cli.js';

/**
 * Running the README's TypeScript (test/io/readme-examples.test.ts, through tsx) strips the types
 * unchecked: a field the docs name that the public types lack prints `undefined` and passes. Here
 * every block is compiled as a user's project would compile it, against the built package's
 * declarations, with strict on and no skipLibCheck.
 */
describe("the README's TypeScript examples type-check against the published declarations", () => {
  let dir: string | undefined;
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('every block compiles under strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes', () => {
    requireBuild('index.d.ts');
    const { snippets } = readmeExamples(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    expect(snippets.length).toBeGreaterThan(3);
    dir = mkdtempSync(join(tmpdir(), 'fusion-readme-types-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repoRoot, join(dir, 'node_modules/llm-fusion'));
    // Each block is a module of its own (they declare the same names), as each would be in a project.
    snippets.forEach((code, i) => writeFileSync(join(dir as string, `snippet-${i}.mts`), `${code}\nexport {};\n`));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], strict: true, noEmit: true,
          noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false,
          types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')],
        },
        include: ['*.mts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', timeout: 300_000 });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  }, 300_000);
});
