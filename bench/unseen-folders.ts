/**
 * Eval folders drawn from a dev folder in memory (bench/unseen-draws.ts): a subset of its models or
 * items, and QA voters added the way issue 19 met them on unseen sets. Nothing is written.
 */
import type { EvalFolder } from '../src/kinds/load-folder.js';
import type { RecordedResponse } from '../src/task/schema.js';

/** k distinct indices of 0..n-1, drawn with the seeded generator. */
export function sample(n: number, k: number, rand: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < Math.min(k, n); i++) {
    const j = i + Math.floor(rand() * (n - i));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, Math.min(k, n)).sort((a, b) => a - b);
}

export const modelsOf = (f: EvalFolder): string[] => [...new Set(f.responses.map((r) => r.model))].sort();

export function withResponses(f: EvalFolder, responses: RecordedResponse[]): EvalFolder {
  return { ...f, responses } as EvalFolder;
}

export function keepModels(f: EvalFolder, keep: ReadonlySet<string>): EvalFolder {
  return withResponses(f, f.responses.filter((r) => keep.has(r.model)));
}

export function keepItems(f: EvalFolder, rows: number[]): EvalFolder {
  const ids = new Set(rows.map((i) => f.items[i]!.id));
  const responses = f.responses.filter((r) => ids.has(r.item));
  if (f.kind === 'qa') return { ...f, items: rows.map((i) => f.items[i]!), responses };
  const gold = f.kind === 'classification' ? Int32Array.from(rows, (i) => f.gold[i]!) : Float64Array.from(rows, (i) => f.gold[i]!);
  return { ...f, items: rows.map((i) => f.items[i]!), gold, responses } as EvalFolder;
}

/** The question's text of a QA item (the field the set names it by). */
const questionOf = (f: EvalFolder, i: number): string => {
  const it = f.items[i] as { question?: string; text?: string };
  return it.question ?? it.text ?? '';
};

/**
 * J program-of-thought voters that never ran their code: each writes the same program from the
 * question's numbers (so they agree with each other), and C copies of the model whose answers agree
 * least with the others' (the weakest by a label-free reading is not needed: the hindsight-weakest is
 * what hurts a vote most, and the strategies never see which one it was).
 */
export function addJunk(f: EvalFolder, junk: number, copies: number, weakest: string): RecordedResponse[] {
  const out: RecordedResponse[] = [];
  f.items.forEach((it, i) => {
    const nums = (questionOf(f, i).match(/\d+(?:\.\d+)?/g) ?? ['1', '2']).slice(0, 3);
    const lines = nums.map((n, k) => `x${k} = ${n}`);
    const code = `# Python code, return ans\n${lines.join('\n')}\nans = ${nums.map((_, k) => `x${k}`).join(' * ')}`;
    for (let j = 0; j < junk; j++) out.push({ item: it.id, model: `junk-pot-${j}`, output: code });
  });
  const weak = f.responses.filter((r) => r.model === weakest);
  for (let c = 0; c < copies; c++) for (const r of weak) out.push({ ...r, model: `copy-${c}-of-${weakest}` });
  return out;
}

