import { describe, expect, it } from 'vitest';
import { loadEvalFolder } from '../../src/index.js';
import { KINDS, kindOf } from '../../src/kinds/registry.js';
import { kindWorld, worldLines } from '../support/kind-worlds.js';
import { writeEvalFolder } from '../support/temp-folder.js';

/** Each kind's count of the items a fit learns from: the labelled ones, never every item of the folder. */
describe('labelledItems counts the items with a gold, for every kind', () => {
  for (const { kind } of KINDS) {
    it(`${kind}: two unlabelled items of six are not counted`, () => {
      const world = kindWorld(kind);
      const { items, responses } = worldLines(world, 6);
      const stripped = items.map((item, i) => (i < 4 ? item : Object.fromEntries(Object.entries(item).filter(([field]) => field === 'id' || field === world.dataField))));
      const folder = loadEvalFolder(writeEvalFolder({ task: world.task, items: stripped, responses }));
      expect(kindOf(folder.task).labelledItems(folder)).toBe(4);
    });
  }

  it('qa: an item without reference answers is labelled by a judged answer to it', () => {
    const world = kindWorld('qa');
    const { items, responses } = worldLines(world, 3);
    const stripped = items.map(({ id, question }) => ({ id, question }));
    const judged = responses.map((r) => (r.item === 'q1' ? { ...r, correct: r.model === 'm0' } : r));
    const folder = loadEvalFolder(writeEvalFolder({ task: world.task, items: stripped, responses: judged }));
    expect(kindOf(folder.task).labelledItems(folder)).toBe(1);
  });
});
