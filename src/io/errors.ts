import { AttramentError, OutputError } from '../errors.js';

/** The user's name for an input in messages (`-` is standard input). */
export function inputName(name: string): string {
  return name === '-' ? 'standard input' : name;
}

/**
 * A problem with the user's input, reported as one line `file:line: problem` (or `file: problem`
 * when it concerns the whole file), so the CLI can print it as is, without a stack trace.
 */
export class InputError extends AttramentError {
  override name = 'InputError';

  constructor(
    /** The file as the user named it (`-` is standard input). */
    readonly file: string,
    /** 1-based line, or undefined when the problem concerns the whole file. */
    readonly line: number | undefined,
    /** What is wrong, without the location prefix. */
    readonly problem: string,
  ) {
    const where = inputName(file);
    super(line === undefined ? `${where}: ${problem}` : `${where}:${line}: ${problem}`, 'input');
  }
}

export type InputWarningKind = 'long-mirna' | 'short-mirna' | 'duplicate-name';

/** Something accepted but worth telling the user once (e.g. miRNAs truncated to 20 nt). */
export interface InputWarning {
  kind: InputWarningKind;
  file: string;
  line: number;
  message: string;
}

function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return `cannot read (${e?.code ?? e?.message ?? String(error)})`;
  }
}

/** Wraps file-system failures (missing file, directory, permissions) as a one-line InputError. */
export function fileReadError(file: string, error: unknown): InputError {
  return new InputError(file, undefined, describeFsError(error));
}

/**
 * An output that cannot be created, named as the user gave it (not by its temp file). A missing
 * folder is not created: a typo in a path should not leave new directories behind.
 */
export function fileWriteError(file: string, error: unknown): OutputError {
  if (error instanceof OutputError) return error;
  const e = error as NodeJS.ErrnoException;
  const problem =
    e?.code === 'ENOENT' ? 'its folder does not exist'
    : e?.code === 'EACCES' || e?.code === 'EPERM' ? 'permission denied'
    : e?.code === 'ENOTDIR' ? 'a part of its path is not a folder'
    : e?.code === 'EISDIR' ? 'is a directory; name a file'
    : e?.code === 'ENOSPC' ? 'no space left on the device'
    : e?.code === 'EROFS' ? 'read-only file system'
    : e?.code ? `${e.code}`
    : (e?.message ?? String(error));
  return new OutputError(file, `cannot write, ${problem}`, { cause: error });
}
