import type { QaFolder } from '../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../src/task/schema.js';
import { seededRandom } from '../../src/util/random.js';

const LETTERS = ['A', 'B', 'C', 'D'];

/**
 * A multiple-choice folder with known model behaviour: model k is right with probability
 * accuracy[k]; models listed in `copycats` copy the first copycat's wrong answer (correlated errors).
 */
export function syntheticMcFolder(n: number, accuracy: number[], seed: number, copycats: number[] = []): QaFolder {
  const random = seededRandom(seed);
  const items = [];
  const responses: RecordedResponse[] = [];
  for (let i = 0; i < n; i++) {
    const gold = LETTERS[Math.floor(random() * 4)] as string;
    const id = `q${i}`;
    items.push({ id, question: `Question ${i}?`, answers: [gold], choices: LETTERS.map((label) => ({ label, text: `option ${label.toLowerCase()} of ${i}` })) });
    const sharedWrong = LETTERS.filter((l) => l !== gold)[Math.floor(random() * 3)] as string;
    accuracy.forEach((p, k) => {
      const right = random() < p;
      const wrong = copycats.includes(k) ? sharedWrong : (LETTERS.filter((l) => l !== gold)[Math.floor(random() * 3)] as string);
      responses.push({ item: id, model: `m${k}`, output: `Some reasoning. The answer is (${right ? gold : wrong}).` });
    });
  }
  return { kind: 'qa', dir: '/synthetic', task: { name: 'synthetic-mc', kind: 'qa', answerType: 'multiple-choice', instructions: '' }, items, responses };
}

const CITIES = ['Paris', 'Lyon', 'Nice', 'Lille', 'Nantes', 'Rennes'];

/**
 * A free-form folder: model k names the right city with probability accuracy[k], else a wrong one
 * (copycats share one wrong city). Right answers are sometimes phrased as a sentence, so the right
 * answer's cluster members differ in wording.
 */
export function syntheticFreeFormFolder(n: number, accuracy: number[], seed: number, copycats: number[] = []): QaFolder {
  const random = seededRandom(seed);
  const items = [];
  const responses: RecordedResponse[] = [];
  for (let i = 0; i < n; i++) {
    const gold = CITIES[Math.floor(random() * CITIES.length)] as string;
    const wrongs = CITIES.filter((c) => c !== gold);
    const sharedWrong = wrongs[Math.floor(random() * wrongs.length)] as string;
    const id = `f${i}`;
    items.push({ id, question: `Which city is number ${i}?`, answers: [gold] });
    accuracy.forEach((p, k) => {
      const right = random() < p;
      const city = right ? gold : copycats.includes(k) ? sharedWrong : (wrongs[Math.floor(random() * wrongs.length)] as string);
      responses.push({ item: id, model: `m${k}`, output: random() < 0.3 ? `The city is ${city}.` : city });
    });
  }
  return { kind: 'qa', dir: '/synthetic-free', task: { name: 'synthetic-free', kind: 'qa', answerType: 'free-form', instructions: '' }, items, responses };
}
