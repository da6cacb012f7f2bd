import { atomicWriteFile } from '../io/atomic.js';

/** A small result to `file` (atomically) or stdout. */
export async function writeOutput(file: string | undefined, text: string | Uint8Array): Promise<void> {
  if (file) await atomicWriteFile(file, text);
  else process.stdout.write(text);
}
