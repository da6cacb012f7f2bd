/**
 * The errors attrament reports to its users. Every problem the user can fix (their input, the
 * model they named, an option, an output path) is an {@link AttramentError}: its message is one
 * line, ready to print after `attrament: `, and it carries the exit code the CLI ends with.
 * Anything else that reaches the CLI is a bug and is reported as one.
 *
 * This module sits at the left end of the module flow (no imports), so `io/`, `model/` and every
 * later module can throw these; it runs in the browser too (no Node APIs).
 */

/** What went wrong, by whose side it is on; the CLI chooses the exit code from it. */
export type ErrorKind = 'input' | 'model' | 'output' | 'usage' | 'engine';

/** Exit codes of the CLI: 1 for a problem with data, files, model or engine; 2 for a usage error (as grep, diff, bash). */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  input: 1,
  model: 1,
  output: 1,
  engine: 1,
  usage: 2,
};

/** Base class of every error meant for the user: a one-line message, a kind, an exit code. */
export class AttramentError extends Error {
  override name = 'AttramentError';

  constructor(
    message: string,
    readonly kind: ErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** A command line that cannot work: an unknown or conflicting option, a bad value. */
export class UsageError extends AttramentError {
  override name = 'UsageError';

  constructor(message: string) {
    super(message, 'usage');
  }
}

/**
 * An output that cannot be written (a directory, a missing folder, no permission, a full disk),
 * named as the user gave it, never by its temp file.
 */
export class OutputError extends AttramentError {
  override name = 'OutputError';

  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, 'output', options);
  }
}

/** The model cannot be found, fetched, verified or read. */
export class ModelError extends AttramentError {
  override name = 'ModelError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'model', options);
  }
}

/**
 * Text safe to echo in a one-line message: at most `max` characters, control and other
 * unprintable characters (binary garbage, escape sequences) shown as `\xNN`/`\u{…}`.
 */
export function printable(text: string, max = 60): string {
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count >= max) return out + '…';
    const code = ch.codePointAt(0)!;
    const unprintable = code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0xfffd || (code >= 0xd800 && code < 0xe000);
    out += unprintable ? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`) : ch;
    count++;
  }
  return out;
}
