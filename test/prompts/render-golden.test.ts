import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenOutputs } from './render-golden-cases.js';

/** Written once by the renderer that branched on the kind (test/prompts/render-golden-cases.ts says what it holds). */
const GOLDEN = new URL('./render-golden.json', import.meta.url);

describe('rendered requests, byte for byte', () => {
  it('are the golden ones for every kind, format and misfit template', () => {
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>;
    const now = goldenOutputs();
    expect(Object.keys(now).sort()).toEqual(Object.keys(golden).sort());
    for (const key of Object.keys(golden)) expect(now[key], key).toEqual(golden[key]);
  });
});
