import { Command, CommanderError } from 'commander';
import { removeOpenTempFiles } from '../io/atomic.js';
import { AttramentError, EXIT_CODES, printable } from '../errors.js';
import { debugEnabled } from '../config.js';
import { predictCommand, evaluateCommand } from './predict.js';
import { explainCommand, alignCommand } from './explain.js';
import { reportCommand } from './report.js';
import { figureCommand } from './figure.js';
import { scanCommand } from './scan.js';
import { classesCommand } from './classes.js';
import { viewerCommand } from './viewer.js';
import { convertCommand } from './convert.js';
import { splitCommand } from './split.js';
import { mergeCommand } from './merge.js';
import { commandLinePairsFile } from './common.js';
import { compareCommand } from './compare.js';
import { mutagenesisCommand } from './mutagenesis.js';

export function program(): Command {
  return new Command('attrament')
    .description('Make deep-learning miRNA target-site models explain themselves: attributions (DeepSHAP & co.) and attribution sequence alignment.')
    .version('0.1.0')
    .addCommand(explainCommand())
    .addCommand(alignCommand())
    .addCommand(predictCommand())
    .addCommand(evaluateCommand())
    .addCommand(reportCommand())
    .addCommand(figureCommand())
    .addCommand(scanCommand())
    .addCommand(classesCommand())
    .addCommand(viewerCommand())
    .addCommand(convertCommand())
    .addCommand(compareCommand())
    .addCommand(mutagenesisCommand())
    .addCommand(splitCommand())
    .addCommand(mergeCommand());
}

/**
 * Every command reports through the one handler: commander's own errors (unknown option, missing
 * argument, bad value) are one line with the same `attrament: ` prefix as ours and a pointer to
 * `--help`, not the whole help text.
 */
function configure(cmd: Command, parents: string[] = []): void {
  const name = [...parents, cmd.name()].join(' ');
  cmd
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // One line, as every other error: the message, then where the options are explained.
      outputError: (s, write) => write(`attrament: ${s.replace(/^error: /, '').trimEnd()} (see: ${name} --help)\n`),
    });
  for (const sub of cmd.commands) configure(sub, [...parents, cmd.name()]);
}

/** The one place errors become messages and exit codes. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version end with exit code 0; commander has printed its own error line already.
    return error.exitCode === 0 ? 0 : EXIT_CODES.usage;
  }
  let message: string;
  let code: number;
  if (error instanceof AttramentError) {
    message = error.message;
    code = error.exitCode;
  } else if (isSystemError(error)) {
    // A file-system or network failure that no reader or writer named: say what and where.
    message = `${error.path ? `${error.path}: ` : ''}${error.code}${error.syscall ? ` (${error.syscall})` : ''}`;
    code = 1;
  } else {
    message = error instanceof Error ? error.message : String(error);
    code = 1;
  }
  if (commandLinePairsFile) message = message.split(`${commandLinePairsFile}:2:`).join('--mirna/--target:');
  process.stderr.write(`attrament: ${printable(message.split('\n')[0] ?? '', 400)}\n`);
  if (debugEnabled() && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return code;
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** SIGPIPE's exit status in a shell (128 + 13), as coreutils end when their reader goes away. */
export const CLOSED_PIPE_EXIT = 141;

/**
 * A reader that closes the pipe early (`attrament predict big.tsv | head -1`) ends the run at
 * once, quietly: no EPIPE text, temp files removed, finished resumable chunks kept.
 */
function onStdoutError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
    removeOpenTempFiles();
    process.exit(CLOSED_PIPE_EXIT);
  }
  process.stderr.write(`attrament: standard output: ${error.code ?? error.message}\n`);
  removeOpenTempFiles();
  process.exit(1);
}

/** Runs the CLI; resolves to the exit code. Errors are one line on stderr, with no partial output left. */
export async function main(argv: string[]): Promise<number> {
  const onSignal = (signal: NodeJS.Signals): void => {
    removeOpenTempFiles();
    // The shell's convention: 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);
  try {
    const cli = program();
    configure(cli);
    await cli.parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
