/**
 * How many judges' answers the score reader reads on a rating set, and each judge's Spearman with
 * the gold (a judge's readable samples averaged per item), beside abstentions by reason.
 * Usage: npx tsx bench/rating-read.ts [../shared/data/mt-da-dev ...] [--show MODEL:REASON]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readScore } from '../src/kinds/rating/read-score.js';
import type { Scale } from '../src/kinds/rating/scale.js';
import { scoreMetrics } from '../src/validation/score-metrics.js';

const args = process.argv.slice(2);
const showAt = args.indexOf('--show');
const show = showAt >= 0 ? args.splice(showAt, 2)[1] : undefined;
const folders = args.length > 0 ? args : ['../shared/data/mt-da-dev'];

const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

for (const folder of folders) {
  const task = JSON.parse(readFileSync(join(folder, 'task.json'), 'utf8')) as { name: string; scale: Scale };
  const items = lines(join(folder, 'items.jsonl'));
  const gold = new Map(items.map((it) => [String(it.id), Number(it.label)]));
  const index = new Map(items.map((it, i) => [String(it.id), i]));
  const perJudge = new Map<string, { answers: number; read: number; reasons: Record<string, number>; methods: Record<string, number>; sum: Float64Array; count: Float64Array }>();
  for (const r of lines(join(folder, 'responses.jsonl'))) {
    const model = String(r.model);
    let j = perJudge.get(model);
    if (!j) {
      j = { answers: 0, read: 0, reasons: {}, methods: {}, sum: new Float64Array(items.length), count: new Float64Array(items.length) };
      perJudge.set(model, j);
    }
    j.answers++;
    const reading = readScore(String(r.output), task.scale);
    const i = index.get(String(r.item)) as number;
    if (reading.kind === 'score') {
      j.read++;
      j.methods[reading.method] = (j.methods[reading.method] ?? 0) + 1;
      j.sum[i] = (j.sum[i] as number) + reading.score;
      j.count[i] = (j.count[i] as number) + 1;
    } else {
      j.reasons[reading.reason] = (j.reasons[reading.reason] ?? 0) + 1;
      if (show === `${model}:${reading.reason}`) console.log(`--- ${String(r.item)} ${reading.detail ?? ''}\n${String(r.output).slice(0, 1500)}`);
    }
  }
  const goldArr = Float64Array.from(items, (it) => gold.get(String(it.id)) as number);
  console.log(`\n${task.name} (scale ${task.scale.min}-${task.scale.max}, ${items.length} items)`);
  console.log('| judge | answers | read | items scored | Spearman | MAE | abstentions | methods |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [model, j] of perJudge) {
    const pred = Float64Array.from(j.sum, (s, i) => ((j.count[i] as number) > 0 ? s / (j.count[i] as number) : Number.NaN));
    const m = scoreMetrics(goldArr, pred, task.scale);
    const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${model} | ${j.answers} | ${j.read} | ${m.n} | ${m.spearman.toFixed(3)} | ${m.mae.toFixed(3)} | ${fmt(j.reasons)} | ${fmt(j.methods)} |`);
  }
}
