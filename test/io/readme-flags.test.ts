import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionsOf } from '../../src/cli/usage-hints.js';
import { repoRoot, runCli } from '../support/run-cli.js';

const COMMANDS = ['eval', 'fit', 'run', 'fuse', 'init', 'batches'];
/** Flags the README gives to npm or to Node (the young generation's size, in NODE_OPTIONS), not to fusion. */
const NPM_FLAGS = ['--omit', '--all', '--ignore-scripts', '--max-semi-space-size'];

/** The flags a help lists as its own options (a line that starts with one), not those it cites of other commands. */
function listedOptions(help: string): string[] {
  return [...help.matchAll(/^ {2,}(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1] as string);
}

async function helpOf(command: string): Promise<string> {
  const r = await runCli([command, '--help']);
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Whether `fusion <command>` accepts `flag`: an unknown flag placed after it is then the one refused. */
async function accepts(command: string, flag: string): Promise<boolean> {
  for (const form of [[flag], [`${flag}=1`]]) {
    const r = await runCli([command, ...form, '--zz-not-a-flag']);
    if (r.stderr.includes('unknown option --zz-not-a-flag')) return true;
  }
  return false;
}

/**
 * The README, each command's --help and the flags each command accepts name the same flags: a flag
 * renamed or added in one place and not the others fails here, not in a new user's first hour.
 */
describe("the README's flags, the help's and the parser's are the same", () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const inReadme = optionsOf(readme).filter((f) => !NPM_FLAGS.includes(f));

  it('every flag a help lists is accepted by its command, and is in the README', async () => {
    const missing: string[] = [];
    let checked = 0;
    for (const command of COMMANDS) {
      for (const flag of listedOptions(await helpOf(command))) {
        checked++;
        if (!(await accepts(command, flag))) missing.push(`fusion ${command} --help lists ${flag}, which the command refuses`);
        if (!inReadme.includes(flag)) missing.push(`fusion ${command} --help lists ${flag}, which the README never names`);
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('every FUSION_ variable the README names is in the help of a command that reads it', async () => {
    const helps = (await Promise.all(COMMANDS.map(helpOf))).join('\n');
    const variables = [...new Set([...readme.matchAll(/FUSION_[A-Z_]+/g)].map((m) => m[0]))];
    expect(variables.length).toBeGreaterThan(5);
    expect(variables.filter((v) => !helps.includes(v))).toEqual([]);
  });

  it('every flag the README names is in the help of a command (or of fusion itself)', async () => {
    const helps = [(await runCli(['--help'])).stdout, ...(await Promise.all(COMMANDS.map(helpOf)))];
    const listed = new Set(helps.flatMap(optionsOf));
    expect(inReadme.filter((f) => f !== '--help' && !listed.has(f))).toEqual([]);
    expect(inReadme.length).toBeGreaterThan(40);
  });
});
