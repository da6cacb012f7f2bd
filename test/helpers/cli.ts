import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = path.join(root, 'src', 'cli', 'run.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command ARGS` and collects its output: the one spawn-and-collect of the tests. `input` is
 * written to its standard input (closed at once when absent); `env` replaces the environment.
 */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Runs the CLI from the TypeScript sources (as `attrament ARGS`) in `cwd` (default: the project root). */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return runProcess(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
}

export const projectRoot = root;

/**
 * Runs `attrament explain ARGS` in this process, through the command's own option parsing, with
 * job options the command line has no flag for (e.g. `stopAfterChunks`, an interrupted run).
 * Rejects with the job's error.
 */
export async function explainInProcess(args: string[], extra: Partial<import('../../src/pipeline/explain.js').ExplainJobOptions>): Promise<void> {
  const { explainCommand, explainJobOptions } = await import('../../src/cli/explain.js');
  const { runExplain } = await import('../../src/pipeline/explain.js');
  const cmd = explainCommand().exitOverride();
  cmd.action(async (pairs: string | undefined, o: Record<string, unknown>) => {
    await runExplain({ ...explainJobOptions(pairs, o), ...extra });
  });
  await cmd.parseAsync(args, { from: 'user' });
}
