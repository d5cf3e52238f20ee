import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];
const TASKS = {
  classification: { name: 'c', kind: 'classification', labels: [{ name: 'positive' }, { name: 'negative' }], instructions: '' },
  ordered: { name: 'o', kind: 'classification', ordered: true, labels: [{ name: 'low' }, { name: 'mid' }, { name: 'high' }], instructions: '' },
  'free-form QA': { name: 'q', kind: 'qa', answerType: 'free-form', instructions: '' },
  'numeric QA': { name: 'n', kind: 'qa', answerType: 'numeric', instructions: '' },
  'multiple-choice QA': { name: 'm', kind: 'qa', answerType: 'multiple-choice', instructions: '' },
  rating: { name: 'r', kind: 'rating', scale: { min: 1, max: 5 }, instructions: '' },
} as const;
/** What hostile models answer, by the item they are asked about: nothing any kind can read. */
const HOSTILE: Record<string, string> = {
  empty: '',
  refusal: "I'm sorry, I can't help with that.",
  junk: '\u0000\u0001 ??? \ufffd\ufffd',
};

describe('fusion run: an item no model answered readably says why, for every kind', () => {
  for (const [name, task] of Object.entries(TASKS)) {
    it(`${name}: abstain "no-answer" on the line (JSON) and in the abstain column (CSV), each answer with its own reason`, async () => {
      const server = await fixture.start({
        labels: ['positive', 'negative'],
        content: ({ user }) => Object.entries(HOSTILE).find(([k]) => user.includes(`case-${k}`))?.[1],
      });
      const t = fixture.tempDir();
      writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
      const input = Object.keys(HOSTILE).map((k) => JSON.stringify({ id: k, text: `case-${k}`, question: `case-${k}`, choices: [{ label: 'A', text: 'yes' }, { label: 'B', text: 'no' }] })).join('\n') + '\n';
      const args = ['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--cache', join(t.dir, 'c.sqlite')];
      const json = await runCli(args, { input, env: server.env() });
      expect(json.status, json.stderr).toBe(0);
      const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; abstain?: string; answers: { abstain?: string }[] });
      expect(lines.map((l) => l.id)).toEqual(Object.keys(HOSTILE));
      for (const line of lines) {
        expect(line.abstain, JSON.stringify(line)).toBe('no-answer');
        for (const a of line.answers) expect(a.abstain, JSON.stringify(a)).toBeTruthy();
      }
      expect(lines.find((l) => l.id === 'empty')?.answers.map((a) => a.abstain)).toEqual(['empty', 'empty']);
      const csv = await runCli([...args, '--output-format', 'csv'], { input, env: server.env() });
      expect(csv.status, csv.stderr).toBe(0);
      const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => r.abstain)).toEqual(Object.keys(HOSTILE).map(() => 'no-answer'));
    });
  }
});
