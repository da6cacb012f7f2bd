import { spawn } from 'node:child_process';
import { InvalidArgumentError, Command } from 'commander';
import { startViewer } from '../viewer/server.js';
import { writeViewerSite } from '../viewer/build.js';
import { UsageError } from '../errors.js';
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
      'serve a single-page app on 127.0.0.1 that explains one pair, or scans a transcript, in the browser (score, DeepSHAP on onnxruntime-web, attribution ' +
        'alignment, duplex, sites, figures, downloads); the model and the paper\'s background are read from this machine, nothing from the network. ' +
        'With --build DIR, write the same app as a static site instead (npm run build:web)',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', port, 8080)
    .option('--model <dir|url|name>', "TF.js layers model: a directory, a model.json URL, or 'mirbind' (ResNet) / 'mirbind-cnn'", 'mirbind')
    .option('--examples <pairs>', 'pairs file offered as one-click examples (default: examples/pairs.tsv)')
    .option('--open', 'open the page in the default browser')
    .option('--build <dir>', 'write the static site into DIR (any static host can serve it) instead of serving it')
    .option('--data-url <url>', 'with --build: base URL the page fetches model/ and background.json from (default: beside the page)')
    .action(async (o) => {
      const warn = warnOnce();
      if (o.dataUrl !== undefined && o.build === undefined) throw new UsageError('--data-url goes with --build');
      if (o.build !== undefined) {
        const written = await writeViewerSite(o.build, { model: o.model, examples: o.examples, dataUrl: o.dataUrl, onWarning: warn });
        process.stderr.write(`attrament: viewer site written to ${o.build} (${written.files.length} files, ${(written.bytes / 1e6).toFixed(1)} MB)\n`);
        return;
      }
      const server = await startViewer({ port: o.port, model: o.model, examples: o.examples, onWarning: warn });
      process.stdout.write(`attrament viewer on ${server.url} (Ctrl+C to stop)\n`);
      if (o.open) openInBrowser(server.url, warn);
      await server.closed;
    });
}
