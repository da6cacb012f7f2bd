/**
 * Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise (so logs
 * of batch jobs stay readable). Silent with `quiet`.
 *
 * Rate and eta count only the work of this run, from the first update on (a resumed run starts
 * with its earlier chunks done: they are not "done in 0.1 s"), and are shown only once they mean
 * something: after a second of work or once some items are done, never `eta 0.0s 0.00/s`.
 */
export class Progress {
  private done = 0;
  /** Items done when the bar was made (resumed work), not counted in the rate. */
  private base: number | undefined;
  private lastDraw = 0;
  private start = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly quiet = false,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Sets the count of finished items; the first call sets where this run's work starts. */
  update(done: number): void {
    if (this.base === undefined) {
      this.base = done;
      this.start = Date.now();
      this.done = done;
      // The first draw waits for progress (a non-terminal log gets no line of zeros).
      this.lastDraw = this.start;
      return;
    }
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

  /** The line as it would be drawn now (tests). */
  text(final: boolean, now = Date.now()): string {
    const secs = (now - this.start) / 1000;
    const work = this.done - (this.base ?? 0);
    // A rate over less than a second or no finished item is noise: left out.
    const rate = secs >= 1 && work > 0 ? work / secs : undefined;
    let text = `${this.label}: ${this.done}`;
    if (this.total) {
      const frac = Math.min(1, this.done / this.total);
      const width = 24;
      const filled = Math.round(frac * width);
      text = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${(frac * 100).toFixed(0)}%`;
      if (!final && rate !== undefined) text += ` eta ${formatSeconds((this.total - this.done) / rate)}`;
    }
    if (rate !== undefined) text += ` ${formatRate(rate)}`;
    if (final) text += ` in ${formatSeconds(secs)}`;
    return text;
  }

  private draw(final: boolean): void {
    if (this.quiet) return;
    const text = this.text(final);
    if (this.tty) this.stream.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
    else if (final || this.done > (this.base ?? 0)) this.stream.write(`${text}\n`);
  }
}

function formatRate(rate: number): string {
  return `${rate.toFixed(rate < 10 ? 2 : rate < 1000 ? 1 : 0)}/s`;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${Math.round(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
