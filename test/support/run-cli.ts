import { PassThrough, Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

function capture(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text(): string };
  w.text = () => chunks.join('');
  return w;
}

/**
 * Runs the CLI in this process, as `fusion <args>` would from the repository root: main() with the
 * arguments, `input` on stdin, stdout and stderr captured, and `env` over process.env for provider
 * settings. The exit status is main()'s return value. One test spawns the built bin instead
 * (test/cli/eval.test.ts, through npx).
 */
export async function runCli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const stdout = capture();
  const stderr = capture();
  const stdin = opts.input === undefined ? new PassThrough().end() : Readable.from([opts.input]);
  const status = await main(args, { stdin, stdout, stderr, env: { ...process.env, ...opts.env } });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}
