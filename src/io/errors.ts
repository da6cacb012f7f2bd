/**
 * A problem with the user's input, reported as one line `file:line: problem` (or `file: problem`
 * when it concerns the whole file), so the CLI can print it as is, without a stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    /** The file as the user named it. */
    readonly file: string,
    /** 1-based line, or undefined when the problem concerns the whole file. */
    readonly line: number | undefined,
    /** What is wrong, without the location prefix. */
    readonly problem: string,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
  }
}

export type InputWarningKind = 'long-mirna';

/** Something accepted but worth telling the user once (e.g. miRNAs truncated to 20 nt). */
export interface InputWarning {
  kind: InputWarningKind;
  file: string;
  line: number;
  message: string;
}
