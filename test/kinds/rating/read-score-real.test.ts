import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readScore } from '../../../src/kinds/rating/read-score.js';
import type { Scale } from '../../../src/kinds/rating/scale.js';
import { spearman } from '../../../src/validation/score-metrics.js';
import { sharedData } from '../../support/shared-data.js';

const dir = sharedData('mt-da-dev');

/**
 * The rule SOURCE.md's per-model figures were computed with: `N/100`, else `score of|is|: N`, else
 * `I would rate/evaluate/estimate ... as|a|to be N`, else a number opening the answer, kept if 0-100.
 */
function simpleRule(output: string): number {
  const m =
    /(\d+(?:\.\d+)?)\s*\/\s*100/.exec(output) ??
    /score(?: of| is|:)\s*(\d+(?:\.\d+)?)/i.exec(output) ??
    /I would (?:rate|evaluate|estimate).*?(?:as|a|to be)\s+(\d+(?:\.\d+)?)/i.exec(output) ??
    /^\W*(\d+(?:\.\d+)?)/.exec(output);
  const v = m ? Number(m[1]) : Number.NaN;
  return v >= 0 && v <= 100 ? v : Number.NaN;
}

describe.skipIf(dir === null)('readScore on mt-da-dev (real judges\' answers)', () => {
  const lines = (file: string) => readFileSync(`${dir}${file}`, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const scale = (JSON.parse(readFileSync(`${dir}task.json`, 'utf8')) as { scale: Scale }).scale;
  const gold = new Map(lines('items.jsonl').map((it) => [String(it.id), Number(it.label)]));
  const responses = lines('responses.jsonl');
  const models = [...new Set(responses.map((r) => String(r.model)))];

  it('reads at least as many answers as the reference rule for every judge, and every score lies on the scale', () => {
    expect(models.length).toBe(4);
    for (const model of models) {
      const mine = responses.filter((r) => r.model === model).map((r) => readScore(String(r.output), scale));
      const theirs = responses.filter((r) => r.model === model).map((r) => simpleRule(String(r.output)));
      const read = mine.filter((x) => x.kind === 'score');
      expect(read.length, model).toBeGreaterThanOrEqual(theirs.filter(Number.isFinite).length);
      expect(read.length / mine.length, model).toBeGreaterThan(0.99);
      for (const x of read) if (x.kind === 'score') expect(x.score >= scale.min && x.score <= scale.max).toBe(true);
    }
  });

  it('on the answers both read, agrees with the gold at least as well as the reference rule (Spearman)', () => {
    for (const model of models) {
      const g: number[] = [];
      const a: number[] = [];
      const b: number[] = [];
      for (const r of responses) {
        if (r.model !== model) continue;
        const x = readScore(String(r.output), scale);
        const y = simpleRule(String(r.output));
        if (x.kind !== 'score' || !Number.isFinite(y)) continue;
        g.push(gold.get(String(r.item)) as number);
        a.push(x.score);
        b.push(y);
      }
      expect(spearman(g, a), model).toBeGreaterThanOrEqual(spearman(g, b) - 1e-9);
    }
  });
});
