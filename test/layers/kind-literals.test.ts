import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Outside the kinds' own folders (src/kinds/<kind>/), no source file names a task kind: the generic
 * paths ask the kind's plug-in (src/kinds/registry.ts). The names are spelled only in the task
 * schema (src/task/schema.ts), where task.json's `kind` is defined: at most 3 places in all.
 */
const KIND_LITERAL = /(['"`])(classification|qa|rating)\1/g;
const MAX_PLACES = 3;
/** Not a kind: `classification` is one of the JSON keys a model may put its answer under. */
const NOT_A_KIND = new Set(['src/normalize/json-answer.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The code without its comments (a comment may name a kind; it decides nothing). */
export function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function kindLiterals(root: string): { file: string; line: number; text: string }[] {
  const out: { file: string; line: number; text: string }[] = [];
  for (const path of sourceFiles(join(root, 'src'))) {
    const file = relative(root, path).split('\\').join('/');
    if (/^src\/kinds\/[^/]+\//.test(file) || NOT_A_KIND.has(file)) continue;
    withoutComments(readFileSync(path, 'utf8'))
      .split('\n')
      .forEach((text, i) => {
        for (const _ of text.matchAll(KIND_LITERAL)) out.push({ file, line: i + 1, text: text.trim() });
      });
  }
  return out;
}

describe('task kinds are named only by their plug-ins and the task schema', () => {
  it(`names a kind in at most ${MAX_PLACES} places outside src/kinds/<kind>/`, () => {
    const found = kindLiterals(process.cwd());
    const where = found.map((f) => `${f.file}:${f.line}: ${f.text}`).join('\n');
    expect(found.length, `name the kind through its plug-in (kindOf(task)) or the schema (TASK_KINDS):\n${where}`).toBeLessThanOrEqual(MAX_PLACES);
  });

  it('counts a kind named in code and ignores comments (the check can fail)', () => {
    const code = "// 'qa' in a comment\nif (task.kind === 'qa') go(); /* 'rating' */ const k = \"classification\";";
    const stripped = withoutComments(code);
    expect([...stripped.matchAll(KIND_LITERAL)].map((m) => m[2])).toEqual(['qa', 'classification']);
  });
});
