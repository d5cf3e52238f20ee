/**
 * Child process for the real-Ctrl-C test: `fusion run` on this process's stdio, with endpoints and
 * keys from the environment. Usage: run-child.ts <fusion run arguments...>
 */
import { runCommand } from '../../src/cli/commands/run.js';

process.exitCode = await runCommand(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
