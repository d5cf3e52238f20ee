import type { QaFolder } from '../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../src/task/schema.js';
import { seededRandom } from '../../src/util/random.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A date `days` after day 0 of a 360-day calendar: its MM/DD/YYYY form and its words. */
function date(day: number): { slashed: string; words: string } {
  const y = 2001 + Math.floor(day / 360);
  const m = Math.floor((day % 360) / 30);
  const d = (day % 30) + 1;
  return { slashed: `${String(m + 1).padStart(2, '0')}/${String(d).padStart(2, '0')}/${y}`, words: `${MONTHS[m]} ${d}, ${y}` };
}

export interface JunkWorldOptions {
  items: number;
  seed: number;
  /** Accuracy of the one strong model. */
  strong: number;
  /** Accuracies of the ordinary models. */
  others: number[];
  /** How many junk voters. */
  junk: number;
  /** Samples per model (every model, junk included). */
  samples: number;
  /** Chance that a junk sample happens to mention the right date among its guesses. */
  junkMentionsGold: number;
}

/**
 * A free-form QA world of the shape that broke supervised QA fusion on unseen sets: one strong
 * model, a few ordinary ones, and junk voters that agree with each other. The models answer a date
 * in words ("So the answer is May 1, 2021."), several samples each. The junk voters ramble in one
 * template that lists three dates in MM/DD/YYYY form: their samples cluster together (they agree),
 * no reader can tell which date they mean, and the lenient "the answer contains the gold" judgement
 * finds the right date in some of them. A cluster of junk then holds a right member on almost every
 * item, while the junk answer that stands for it (its most central member) is right only as often
 * as one sample mentions the gold.
 */
export function junkVoterFolder(o: JunkWorldOptions): QaFolder {
  const random = seededRandom(o.seed);
  const items = [];
  const responses: RecordedResponse[] = [];
  const models = [
    { name: 'strong', accuracy: o.strong },
    ...o.others.map((accuracy, k) => ({ name: `ordinary-${k + 1}`, accuracy })),
  ];
  for (let i = 0; i < o.items; i++) {
    const day = 30 + Math.floor(random() * 3000);
    const gold = date(day);
    const wrong = [-2, -1, 1, 2, 30].map((d) => date(day + d));
    const id = `d${i}`;
    items.push({ id, question: `The meeting was moved ${i % 7} times. What is the date of meeting number ${i}?`, answers: [gold.words, gold.slashed] });
    for (const m of models) {
      for (let s = 0; s < o.samples; s++) {
        const pick = random() < m.accuracy ? gold : (wrong[Math.floor(random() * wrong.length)] as (typeof wrong)[number]);
        responses.push({ item: id, model: m.name, sample: s, output: `Counting the days forward, we land on ${pick.words}. So the answer is ${pick.words}.` });
      }
    }
    for (let j = 0; j < o.junk; j++) {
      for (let s = 0; s < o.samples; s++) {
        const guesses = [0, 1, 2].map(() => (wrong[Math.floor(random() * wrong.length)] as (typeof wrong)[number]).slashed);
        if (random() < o.junkMentionsGold) guesses[Math.floor(random() * 3)] = gold.slashed;
        responses.push({
          item: id,
          model: `junk-${j + 1}`,
          sample: s,
          output: `Looking at the calendar page for this schedule, the candidate dates to consider are ${guesses.join(', ')} depending on the counting convention used.`,
        });
      }
    }
  }
  return { kind: 'qa', dir: '/synthetic-junk', task: { name: 'synthetic-junk-voters', kind: 'qa', answerType: 'free-form', instructions: '' }, items, responses };
}
