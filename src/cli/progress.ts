/**
 * Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise (so logs
 * of batch jobs stay readable). Silent with `quiet`.
 */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly start = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly quiet = false,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Sets the count of finished items. */
  update(done: number): void {
    this.done = done;
    const now = Date.now();
    if (now - this.lastDraw >= (this.tty ? 100 : 5000)) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  finish(): void {
    this.draw(true);
  }

  private draw(final: boolean): void {
    if (this.quiet) return;
    const secs = (Date.now() - this.start) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    let text = `${this.label}: ${this.done}`;
    if (this.total) {
      const frac = Math.min(1, this.done / this.total);
      const width = 24;
      const filled = Math.round(frac * width);
      const eta = rate > 0 ? (this.total - this.done) / rate : 0;
      text = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${(frac * 100).toFixed(0)}%` +
        (final ? '' : ` eta ${formatSeconds(eta)}`);
    }
    text += ` ${rate.toFixed(rate < 10 ? 2 : 0)}/s${final ? ` in ${formatSeconds(secs)}` : ''}`;
    if (this.tty) this.stream.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
    else if (final || this.done > 0) this.stream.write(`${text}\n`);
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${Math.round(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
