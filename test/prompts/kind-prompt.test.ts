import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS, kindOf } from '../../src/kinds/registry.js';
import { createPromptRenderer } from '../../src/prompts/render.js';
import { SHARED_PLACEHOLDERS } from '../../src/prompts/kind-prompt.js';
import { defaultPromptsDir, PLACEHOLDERS } from '../../src/prompts/template.js';

describe('the kinds prompt parts', () => {
  it('fill every placeholder of the template vocabulary between them, and no two kinds claim one', () => {
    const claimed = KINDS.flatMap((k) => [k.prompt.dataSlot, ...k.prompt.placeholders]);
    // A data slot may be shared (classification and rating both show {{text}}); an own placeholder may not.
    const own = KINDS.flatMap((k) => k.prompt.placeholders);
    expect(new Set(own).size).toBe(own.length);
    expect(new Set([...SHARED_PLACEHOLDERS, ...claimed])).toEqual(new Set(PLACEHOLDERS));
    for (const k of KINDS) expect(SHARED_PLACEHOLDERS).not.toContain(k.prompt.dataSlot);
  });

  it('name a shipped template each', () => {
    for (const k of KINDS) expect(existsSync(join(defaultPromptsDir(), `${k.prompt.template}.md`)), k.kind).toBe(true);
  });
});

describe('the renderer with a kind prompt part', () => {
  it('refuses an item without its data field, naming the task and the field (an id or not)', () => {
    const qa = { name: 'mc', kind: 'qa', answerType: 'multiple-choice', instructions: '' } as const;
    const render = createPromptRenderer(qa, kindOf(qa).prompt);
    expect(() => render({ id: 'q9', text: 'not a question' })).toThrow('mc: question: item q9 has no question');
    expect(() => render({ question: 42 })).toThrow('mc: question: an item has no question');
  });
});
