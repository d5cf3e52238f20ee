import type { WorldSpec } from './crowd-worlds.js';

const zipf = (K: number): number[] => Array.from({ length: K }, (_, k) => 1 / (k + 1));

/**
 * The crowds unsupervised Dawid-Skene must hold on: each built from what real model crowds show
 * (families of near-copies, spammers, one-label voters, adversaries, skewed classes, few items).
 */
export const WORLDS: WorldSpec[] = [
  {
    name: 'strong crowd, a correlated weak family (binary, 100 voters)',
    items: 600,
    classes: [0.6, 0.4],
    voters: [
      { kind: 'skilled', count: 55, min: 0.85, max: 0.97 },
      { kind: 'copies', count: 30, accuracy: 0.6, fidelity: 0.6 },
      { kind: 'biased', count: 15, label: 1, bias: 0.5, accuracy: 0.7 },
    ],
  },
  {
    name: 'families, spammers, one-label voters (binary, 110 voters)',
    items: 500,
    classes: [0.75, 0.25],
    voters: [
      { kind: 'skilled', count: 40, min: 0.6, max: 0.92 },
      { kind: 'copies', count: 15, accuracy: 0.7, fidelity: 0.85 },
      { kind: 'copies', count: 15, accuracy: 0.8, fidelity: 0.9 },
      { kind: 'copies', count: 10, accuracy: 0.6, fidelity: 0.8 },
      { kind: 'spammer', count: 15 },
      { kind: 'one-label', count: 8, label: 0 },
      { kind: 'one-label', count: 7, label: 1, share: 0.9 },
    ],
    abstain: 0.05,
  },
  {
    name: 'few items (30, 4 labels, 100 voters)',
    items: 30,
    classes: [1, 1, 1, 1],
    voters: [
      { kind: 'skilled', count: 50, min: 0.4, max: 0.85 },
      { kind: 'copies', count: 20, accuracy: 0.5, fidelity: 0.8 },
      { kind: 'spammer', count: 20 },
      { kind: 'adversarial', count: 10, strength: 0.6 },
    ],
  },
  {
    name: 'many labels, skewed (20 labels, 90 voters)',
    items: 900,
    classes: zipf(20),
    voters: [
      { kind: 'skilled', count: 50, min: 0.45, max: 0.85, attraction: 0.6 },
      { kind: 'copies', count: 20, accuracy: 0.6, fidelity: 0.85, attraction: 0.6 },
      { kind: 'spammer', count: 10 },
      { kind: 'one-label', count: 5, label: 3, share: 0.95 },
      { kind: 'biased', count: 5, label: 0, bias: 0.4, accuracy: 0.6 },
    ],
  },
  {
    name: 'adversaries (3 labels, 60 voters)',
    items: 400,
    classes: [0.5, 0.3, 0.2],
    voters: [
      { kind: 'skilled', count: 35, min: 0.55, max: 0.85 },
      { kind: 'adversarial', count: 25, strength: 0.7 },
    ],
  },
  {
    name: 'weak crowd with a strong few (5 labels, 100 voters)',
    items: 500,
    classes: [0.4, 0.25, 0.15, 0.12, 0.08],
    voters: [
      { kind: 'skilled', count: 5, min: 0.85, max: 0.95 },
      { kind: 'skilled', count: 60, min: 0.3, max: 0.55, attraction: 0.8 },
      { kind: 'copies', count: 25, accuracy: 0.45, fidelity: 0.7, attraction: 0.8 },
      { kind: 'one-label', count: 10, label: 0, share: 0.8 },
    ],
  },
  {
    // Copies of a right answer cost little: down-weighting this family must not lose the strong voter.
    name: 'a family of copies of a strong voter (3 labels, 40 voters)',
    items: 400,
    classes: [0.45, 0.35, 0.2],
    voters: [
      { kind: 'skilled', count: 30, min: 0.5, max: 0.75 },
      { kind: 'copies', count: 10, accuracy: 0.92, fidelity: 0.9 },
    ],
  },
  {
    name: 'a weak family outnumbering a medium crowd (binary, 50 voters)',
    items: 500,
    classes: [0.6, 0.4],
    voters: [
      { kind: 'skilled', count: 20, min: 0.6, max: 0.8 },
      { kind: 'copies', count: 30, accuracy: 0.55, fidelity: 0.85 },
    ],
  },
  {
    name: 'small crowd (6 labels, 12 voters, 300 items)',
    items: 300,
    classes: [0.3, 0.25, 0.2, 0.1, 0.1, 0.05],
    voters: [
      { kind: 'skilled', count: 8, min: 0.45, max: 0.85 },
      { kind: 'copies', count: 2, accuracy: 0.5, fidelity: 0.9 },
      { kind: 'one-label', count: 1, label: 0 },
      { kind: 'spammer', count: 1 },
    ],
  },
];

/**
 * A strong few among a weak crowd that errs toward one shared tempting answer, on few items: the
 * shape of the small item draws of the dev sets where both Dawid-Skene variants fell far below the
 * vote (bench/unseen-draws.ts, BENCHMARKS.md "Pseudo-unseen draws"). The vote starts EM near the
 * crowd's attractor; given that latent, the strong few agree with each other beyond what their rows
 * predict, so the dependence test (dawid-skene-dependence.ts) takes them for a family and
 * down-weights them, while the crowd's shared attractor, being the typical voter's dependence, is
 * not penalised. The mirror image of a family of copies that is a minority of the crowd.
 */
export const STRONG_FEW_WORLD: WorldSpec = {
  name: 'a strong few among a weak crowd sharing an attractor (4 labels, 13 voters, 120 items)',
  items: 120,
  classes: [1, 1, 1, 1],
  voters: [
    { kind: 'skilled', count: 10, min: 0.3, max: 0.5, attraction: 0.8 },
    { kind: 'skilled', count: 3, min: 0.75, max: 0.9 },
  ],
};
