import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './run-cli.js';

const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A `fusion` process started from the sources (a real worker: it can be killed), its output collected. */
export interface CliWorker {
  child: ChildProcessWithoutNullStreams;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** Starts `fusion <args>` as its own process with `env` over this one's, `input` on its stdin. */
export function startWorker(args: string[], env: Record<string, string>, input: string): CliWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  child.stdin.end(input);
  return { child, done };
}
