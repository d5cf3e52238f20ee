import { describe, expect, it } from 'vitest';
import { fitHelp } from '../../src/cli/commands/fit.js';
import { fuseHelp } from '../../src/cli/commands/fuse.js';
import { runHelp } from '../../src/cli/commands/run.js';
import { CLASSIFICATION_METRIC } from '../../src/kinds/classification/evaluate.js';
import { QA_METRIC } from '../../src/kinds/qa/fit.js';
import { KINDS } from '../../src/kinds/registry.js';
import type { Task } from '../../src/task/schema.js';

/** One task of each kind, as the kinds' help describes them. */
const TASKS: Task[] = [
  { name: 'c', kind: 'classification', labels: [{ name: 'a', aliases: [] }, { name: 'b', aliases: [] }], instructions: '' },
  { name: 'q', kind: 'qa', answerType: 'multiple-choice', instructions: '' },
  { name: 'r', kind: 'rating', scale: { min: 1, max: 5 }, instructions: '' },
];

/** The `--strategy` paragraph of a command's help. */
function strategySection(help: string): string {
  const start = help.indexOf('--strategy S');
  return help.slice(start, help.indexOf('\n  --', start + 1));
}

describe('--strategy help of fusion run and fusion fuse', () => {
  it.each([
    ['run', runHelp],
    ['fuse', fuseHelp],
  ])("%s names every kind's default strategy, from the kind's own help", (_command, help) => {
    const section = strategySection(help);
    for (const task of TASKS) {
      const kind = KINDS.find((k) => k.kind === task.kind);
      expect(kind, task.kind).toBeDefined();
      expect(section).toContain(kind!.strategyHelp);
      expect(section).toMatch(new RegExp(`(?<![\\w-])${kind!.defaultStrategy(task)}(?![\\w-])`));
    }
    // Rating's unsupervised strategies are offered too (the help once named only the label strategies).
    for (const name of ['mean', 'median', 'judge-model']) expect(section).toMatch(new RegExp(`(?<![\\w-])${name}(?![\\w-])`));
  });

  it("each kind's help (shown by both commands, above) names every built-in a task of that kind accepts without fitting, ordered labels and free-form QA included", () => {
    const variants: Task[] = [...TASKS, { ...TASKS[0], ordered: true } as Task, { name: 'f', kind: 'qa', answerType: 'free-form', instructions: '' }];
    for (const task of variants) {
      const kind = KINDS.find((k) => k.kind === task.kind);
      for (const name of kind!.unsupervisedNames(task)) expect(kind!.strategyHelp, `${task.kind}: ${name}`).toMatch(new RegExp(`(?<![\\w-])${name}(?![\\w-])`));
    }
  });
});

describe('--strategy help of fusion fit', () => {
  it('names every strategy a folder of each kind can be fitted with (rating ones included)', () => {
    for (const task of TASKS) {
      const kind = KINDS.find((k) => k.kind === task.kind);
      for (const name of kind!.strategyNames(task)) expect(fitHelp, `${task.kind}: ${name}`).toMatch(new RegExp(`(?<![\\w-])${name}(?![\\w-])`));
    }
  });

  it('fit --help names the figure each kind holds the adaptive loss in, as its plug-in scores it', () => {
    const flat = fitHelp.replace(/\s+/g, ' ');
    expect(flat).toContain('classification: macro-F1; QA, multiple choice included: accuracy');
    const qa = KINDS.find((k) => k.kind === 'qa');
    const classification = KINDS.find((k) => k.kind === 'classification');
    expect([classification?.quality?.metric, qa?.quality?.metric]).toEqual(['macro-F1', 'accuracy']);
    // What each kind's fits are held to is the figure its quality view scores it by.
    expect([CLASSIFICATION_METRIC, QA_METRIC]).toEqual([classification?.quality?.metric.toLowerCase(), qa?.quality?.metric.toLowerCase()]);
  });
});
