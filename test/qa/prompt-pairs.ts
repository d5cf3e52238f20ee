import type { QaFolder } from '../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../src/task/schema.js';
import { seededRandom } from '../../src/util/random.js';

export interface PromptPairOptions {
  items: number;
  seed: number;
  /** Accuracy of each prompt's pair of runs (the runs of one prompt share their wrong answers: near-copies). */
  pairs: [number, number];
  /** Per prompt, the chance that its second run errs on its own where the first is right: a prompt with less drift looks more reliable to whoever judges by agreement. */
  drift: [number, number];
  /** Share of items on which every run is wrong, each with its own number (no right candidate). */
  hopeless: number;
}

/**
 * A numeric QA world of the shape of mot-gsm8k: one model under two prompts, two runs per prompt.
 * The runs of a prompt are near-copies (they share their wrong answers), so on the items where
 * exactly one prompt errs the four runs split two against two, and only which prompt is the more
 * accurate decides them. No unsupervised method can read that from the answers alone; which side
 * its estimate takes moves with the items it is fitted on. On a share of items every run is wrong
 * with its own number: no candidate is right there, and they are no one's to score.
 */
export function promptPairFolder(o: PromptPairOptions): QaFolder {
  const random = seededRandom(o.seed);
  const items = [];
  const responses: RecordedResponse[] = [];
  const say = (item: string, model: string, n: number) => responses.push({ item, model, output: `Let me work it out step by step. The answer is ${n}.` });
  for (let i = 0; i < o.items; i++) {
    const id = `n${i}`;
    const gold = 100 + Math.floor(random() * 900);
    items.push({ id, question: `What is quantity ${i}?`, answers: [String(gold)] });
    const wrong = () => gold + 1 + Math.floor(random() * 50);
    if (random() < o.hopeless) {
      for (const model of ['p1/run1', 'p1/run2', 'p2/run1', 'p2/run2']) say(id, model, wrong());
      continue;
    }
    o.pairs.forEach((accuracy, p) => {
      const right = random() < accuracy;
      const shared = wrong();
      say(id, `p${p + 1}/run1`, right ? gold : shared);
      say(id, `p${p + 1}/run2`, right && random() >= (o.drift[p] as number) ? gold : shared);
    });
  }
  return { kind: 'qa', dir: '/synthetic-prompt-pairs', task: { name: 'synthetic-prompt-pairs', kind: 'qa', answerType: 'numeric', instructions: '' }, items, responses };
}
