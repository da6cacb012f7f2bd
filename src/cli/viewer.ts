import { spawn } from 'node:child_process';
import { InvalidArgumentError, Command } from 'commander';
import { startViewer } from '../viewer/server.js';
import { warnOnce } from './common.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number 0–65535 (0 = any free port), got '${value}'`);
  return n;
}

/** Opens `url` in the desktop's browser; a failure is only a warning (the URL is printed anyway). */
function openInBrowser(url: string, warn: (message: string) => void): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', (e) => warn(`could not open a browser (${cmd}: ${e.message}); open ${url} yourself`));
  child.unref();
}

export function viewerCommand(): Command {
  return new Command('viewer')
    .description(
      'serve a single-page app on 127.0.0.1 that explains one pair in the browser (score, DeepSHAP on TF.js wasm, attribution alignment, duplex, figures); ' +
        'the model and the paper\'s background are read from this machine, nothing from the network',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', port, 8080)
    .option('--model <dir|url|name>', "TF.js layers model: a directory, a model.json URL, or 'mirbind' (ResNet) / 'mirbind-cnn'", 'mirbind')
    .option('--examples <pairs>', 'pairs file offered as one-click examples (default: examples/pairs.tsv)')
    .option('--open', 'open the page in the default browser')
    .action(async (o) => {
      const warn = warnOnce();
      const server = await startViewer({ port: o.port, model: o.model, examples: o.examples, onWarning: warn });
      process.stdout.write(`attrament viewer on ${server.url} (Ctrl+C to stop)\n`);
      if (o.open) openInBrowser(server.url, warn);
      await server.closed;
    });
}
