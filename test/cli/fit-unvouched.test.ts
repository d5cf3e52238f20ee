import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { agreeingFolder } from '../support/agreeing-world.js';
import { writeEvalFolder } from '../support/temp-folder.js';

/**
 * `fusion fit --strategy adaptive` says so when the policy asks every model because the labelled
 * items cannot vouch for a cheaper setting at the loss target: a user who expected savings learns
 * why, and what to change. Silent when a cheaper setting was chosen or a budget chose it.
 */
describe('fusion fit --strategy adaptive on too few labelled items for its loss target', () => {
  const { task, items, responses } = agreeingFolder(36);
  const dir = writeEvalFolder({ task, items, responses });
  const fit = (extra: string[]) => runCli(['fit', dir, '--strategy', 'adaptive', '--folds', '0', '--out', `${dir}/p${extra.join('')}.json`, ...extra]);

  it('notes that every model is asked, on how many items, and the ways out', async () => {
    const r = await fit([]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('note: every model is asked: on 36 labelled items no cheaper setting is vouched to stay within 0.5 points of the full fusion; more labelled items, a looser --max-loss or a --max-calls budget let it ask fewer\n');
  });

  it('counts only the labelled items of a folder that also holds unlabelled ones', async () => {
    const labelled = agreeingFolder(36);
    const unlabelled = agreeingFolder(48);
    const extra = unlabelled.items.slice(36).map(({ id, text }) => ({ id, text }));
    const mixed = writeEvalFolder({ task: labelled.task, items: [...labelled.items, ...extra], responses: unlabelled.responses });
    const r = await runCli(['fit', mixed, '--strategy', 'adaptive', '--folds', '0', '--out', `${mixed}/p.json`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('on agreeing: 48 items');
    expect(r.stdout).toContain('note: every model is asked: on 36 labelled items');
  });

  it('says nothing when a looser target or a budget lets it ask fewer', async () => {
    for (const extra of [['--max-loss', '20'], ['--max-calls', '2']]) {
      const r = await fit(extra);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('note: every model is asked');
    }
  });
});
