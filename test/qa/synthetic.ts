import type { QaFolder } from '../../src/task/load-folder.js';
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
