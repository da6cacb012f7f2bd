import { Command, CommanderError } from 'commander';
import { removeOpenTempFiles } from '../io/atomic.js';
import { predictCommand, evaluateCommand } from './predict.js';
import { explainCommand, alignCommand } from './explain.js';
import { reportCommand } from './report.js';
import { figureCommand } from './figure.js';
import { scanCommand } from './scan.js';
import { classesCommand } from './classes.js';
import { viewerCommand } from './viewer.js';
import { commandLinePairsFile } from './common.js';
import { compareCommand } from './compare.js';

export function program(): Command {
  return new Command('attrament')
    .description('Make deep-learning miRNA target-site models explain themselves: attributions (DeepSHAP & co.) and attribution sequence alignment.')
    .version('0.1.0')
    .showHelpAfterError()
    .addCommand(explainCommand())
    .addCommand(alignCommand())
    .addCommand(predictCommand())
    .addCommand(evaluateCommand())
    .addCommand(reportCommand())
    .addCommand(figureCommand())
    .addCommand(scanCommand())
    .addCommand(classesCommand())
    .addCommand(viewerCommand())
    .addCommand(compareCommand());
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
  try {
    await program()
      .exitOverride()
      .configureOutput({ writeErr: (s) => process.stderr.write(s) })
      .parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    let message = error instanceof Error ? error.message : String(error);
    if (commandLinePairsFile) message = message.split(`${commandLinePairsFile}:2:`).join('--mirna/--target:');
    process.stderr.write(`attrament: ${message.split('\n')[0]}\n`);
    if (process.env.ATTRAMENT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
