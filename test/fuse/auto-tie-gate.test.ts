import { describe, expect, it } from 'vitest';
import { autoStrategy } from '../../src/fuse/auto.js';
import { StrategyStateError } from '../../src/fuse/strategy-state.js';
import { seededRandom } from '../../src/util/random.js';
import { fromVotes } from './helpers.js';

interface Component {
  name: string;
  strategy: string;
  weight: number;
  tieWeight?: number;
  inner: unknown;
}
interface State {
  picked: string;
  tieOf?: string;
  check?: { tieGate?: boolean; gateScores?: { plain: number; gated: number } };
  components: Component[];
}

/** Two strong pairs of voters that split two against two on some items (the first pair right), junk voters besides. */
function pairs(seed: number) {
  const r = seededRandom(seed);
  const n = 120;
  const gold = Int32Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1));
  const votes = Array.from(gold, (g) => {
    const split = r() < 0.15;
    const a = g;
    const b = split ? 1 - g : g;
    return [a, a, b, b, ...Array.from({ length: 3 }, () => (r() < 0.5 ? 0 : 1))];
  });
  return { matrix: fromVotes(['no', 'yes'], ['a1', 'a2', 'b1', 'b2', 'junk1', 'junk2', 'junk3'], votes), gold };
}

describe('auto with a tie gate: its state says so, survives a save and load, and a broken one is refused', () => {
  it('a gated state restores to the same state and predictions', () => {
    const { matrix, gold } = pairs(1);
    const fitted = autoStrategy.fit(matrix, gold, { seed: 1 });
    const s = fitted.state() as State;
    expect(typeof s.check?.tieGate).toBe('boolean');
    // A gate on the heaviest component, whether or not this fit chose one: the state format carries it.
    const last = s.components.length - 1;
    const gated: State = { ...s, tieOf: (s.components[0] as Component).name, components: s.components.map((c, idx) => ({ ...c, tieWeight: idx === last ? 1 : 0 })) };
    const restored = autoStrategy.load(JSON.parse(JSON.stringify(gated)), matrix.labels);
    expect(restored.state()).toEqual(gated);
    const again = autoStrategy.load(restored.state(), matrix.labels);
    expect(Array.from(again.predict(matrix).probs)).toEqual(Array.from(restored.predict(matrix).probs));
  });

  it('tie weights that do not sum to one, or a tieOf naming no component, are refused with the field', () => {
    const { matrix, gold } = pairs(2);
    const s = autoStrategy.fit(matrix, gold, { seed: 2 }).state() as State;
    const name = (s.components[0] as Component).name;
    const badSum = { ...s, tieOf: name, components: s.components.map((c) => ({ ...c, tieWeight: 0.1 })) };
    expect(() => autoStrategy.load(badSum, matrix.labels)).toThrow(StrategyStateError);
    expect(() => autoStrategy.load(badSum, matrix.labels)).toThrow(/tie weights must sum to 1/);
    const noSuch = { ...s, tieOf: 'no-such', components: s.components.map((c, idx) => ({ ...c, tieWeight: idx === 0 ? 1 : 0 })) };
    expect(() => autoStrategy.load(noSuch, matrix.labels)).toThrow(/tieOf: no component named "no-such"|no component named "no-such"/);
  });

});
