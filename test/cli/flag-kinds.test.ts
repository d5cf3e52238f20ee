import { describe, expect, it } from 'vitest';
import { evalHelp } from '../../src/cli/commands/eval.js';
import { runHelp } from '../../src/cli/commands/run.js';
import { flagKindsHelp } from '../../src/cli/flag-kinds.js';
import { KINDS } from '../../src/kinds/registry.js';
import type { KindFlag } from '../../src/kinds/task-kind.js';

/** The help's sentence on which kinds take --explain and --min-confidence is built from the plug-ins' refusals, so the two cannot disagree. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('help texts of the flags a kind may refuse', () => {
  it('names the kinds that honour the flag and gives each refusing kind\'s refusal, wrapped to the options\' column', () => {
    const kinds = [
      { title: 'alpha', refusedFlags: {} },
      { title: 'beta', refusedFlags: { '--explain': 'beta has nothing to explain (a long reason that has to wrap onto a second line of the help text)' } },
      { title: 'gamma', refusedFlags: { '--min-confidence': 'no floor' } },
    ];
    const explain = flagKindsHelp('--explain', kinds);
    expect(flat(explain)).toBe(' (for alpha and gamma tasks; refused on beta tasks: beta has nothing to explain (a long reason that has to wrap onto a second line of the help text))');
    for (const line of explain.split('\n')) {
      expect(line).toMatch(/^ {21}\S/);
      expect(line.length).toBeLessThanOrEqual(101);
    }
    expect(explain.split('\n').length).toBeGreaterThan(1);
    expect(flagKindsHelp('--explain', [kinds[0]!, kinds[2]!]).trim()).toBe('(for every kind of task)');
    expect(flagKindsHelp('--min-confidence', [kinds[2]!]).trim()).toBe('(refused on gamma tasks: no floor)');
  });

  it.each([['--explain', 'eval', evalHelp], ['--min-confidence', 'run', runHelp]] as const)('%s in fusion %s --help agrees with every kind\'s refusal', (flag: KindFlag, _command, help) => {
    const text = flat(help.slice(help.indexOf(`  ${flag} `)));
    const honoured = /\((?:for (.+?) tasks|for every kind of task)[;)]/.exec(text);
    const named = (honoured?.[1] ?? '').split(/, | and /).filter((n) => n !== '');
    for (const kind of KINDS) {
      const refusal = kind.refusedFlags[flag];
      if (refusal === undefined) expect(named, kind.title).toContain(kind.title);
      else {
        expect(named, kind.title).not.toContain(kind.title);
        expect(text).toContain(`refused on ${kind.title} tasks: ${flat(refusal)}`);
      }
    }
  });
});
