import type { Task } from '../../src/task/schema.js';

/**
 * A tiny labelled world per task kind: its task, item i (gold included) and model m's raw answer on
 * it (three models, not all right). Tests that must hold for every kind iterate over KINDS and look
 * their world up here; a kind without one fails them (kindWorld throws), so a new kind is covered.
 */
export interface KindWorld {
  task: Task;
  item(i: number): Record<string, unknown>;
  output(i: number, m: number): string;
  /** The item field a model is shown (a table's text or question column). */
  dataField: 'text' | 'question';
  /** Item i's gold as a table's cell holds it (a label, an answer, a score). */
  gold(i: number): string;
}

const LABELS = ['negative', 'positive'];

const WORLDS: Record<string, KindWorld> = {
  classification: {
    task: { name: 'tiny-sentiment', kind: 'classification', labels: LABELS.map((name) => ({ name, aliases: [] })), instructions: 'Negative or positive?' },
    item: (i) => ({ id: `t${i}`, text: `text number ${i}`, label: LABELS[i % 2] }),
    output: (i, m) => LABELS[(i + (m === 2 && i % 3 === 0 ? 1 : 0)) % 2] as string,
    dataField: 'text',
    gold: (i) => LABELS[i % 2] as string,
  },
  qa: {
    task: { name: 'tiny-sums', kind: 'qa', answerType: 'numeric', instructions: 'Answer with a number.' },
    item: (i) => ({ id: `q${i}`, question: `What is ${i} + ${i}?`, answers: [String(2 * i)] }),
    output: (i, m) => `The answer is ${2 * i + (m === 2 && i % 3 === 0 ? 1 : 0)}.`,
    dataField: 'question',
    gold: (i) => String(2 * i),
  },
  rating: {
    task: { name: 'tiny-stars', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the text from 1 to 5.' },
    item: (i) => ({ id: `r${i}`, text: `story number ${i}`, label: 1 + (i % 5) }),
    output: (i, m) => String(1 + ((i + (m === 2 ? 1 : 0)) % 5)),
    dataField: 'text',
    gold: (i) => String(1 + (i % 5)),
  },
};

export function kindWorld(kind: string): KindWorld {
  const world = WORLDS[kind];
  if (!world) throw new Error(`no test world for task kind "${kind}": add one to test/support/kind-worlds.ts`);
  return world;
}

/** `n` items of the world and every model's answer on each, as an eval folder's lines. */
export function worldLines(world: KindWorld, n: number): { items: Record<string, unknown>[]; responses: { item: string; model: string; output: string }[] } {
  const items = Array.from({ length: n }, (_, i) => world.item(i));
  const responses = items.flatMap((item, i) => [0, 1, 2].map((m) => ({ item: String(item.id), model: `m${m}`, output: world.output(i, m) })));
  return { items, responses };
}
