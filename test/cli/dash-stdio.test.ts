import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LABELS, task } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

// `-` for a file is stdin or stdout in most command-line tools; taken as a file name, the rows went
// to a file named `-` in the working folder while the user watched stdout.
const fixture = fakeServerFixture();
const dash = join(process.cwd(), '-');

afterEach(() => rmSync(dash, { force: true }));

describe('--input - and --output - are stdin and stdout', () => {
  it('fusion fuse --output -: the rows on stdout (the scores on stderr), no file named "-"', async () => {
    const d = fixture.tempDir().dir;
    writeFileSync(join(d, 'task.json'), JSON.stringify(task));
    writeFileSync(join(d, 'items.csv'), 'id,text,label\n1,a,positive\n2,b,negative\n');
    writeFileSync(join(d, 'responses.csv'), 'item,model,output\n1,m,positive\n2,m,negative\n');
    const r = await runCli(['fuse', d, '--strategy', 'majority-vote', '--output', '-', '--output-format', 'csv']);
    expect(r.status).toBe(0);
    expect(existsSync(dash)).toBe(false);
    expect(r.stdout.split('\n')[0]).toBe('id,label,confidence,m,abstain,error');
    expect(r.stderr).toContain('majority-vote');
  });

  it('fusion run --input - --output -: reads stdin, writes stdout, no file named "-"', async () => {
    const server = await fixture.start({ labels: LABELS });
    const d = fixture.tempDir().dir;
    writeFileSync(join(d, 'task.json'), JSON.stringify(task));
    const r = await runCli(['run', '--task', join(d, 'task.json'), '--models', 'openai:gpt-4o-mini', '--input', '-', '--format', 'csv', '--output', '-', '--no-cache'], {
      env: server.env(),
      input: 'id,text\n1,good\n2,bad\n',
    });
    expect(r.stderr).not.toContain('-: ');
    expect(r.status).toBe(0);
    expect(existsSync(dash)).toBe(false);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });
});
