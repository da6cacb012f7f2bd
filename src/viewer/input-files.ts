/**
 * Sequences as a user gives them to the scan tab: typed or pasted (plain, or FASTA text), or a
 * FASTA file, gzip-compressed or not (the browser's DecompressionStream). Parsed with the CLI's
 * FASTA rules (`io/fasta-parse.ts`); no Node APIs.
 */
import { parseFasta, type FastaRecord } from '../io/fasta-parse.js';
import { textLines } from '../io/text-lines.js';

/** Text of an uploaded file; gzip (by its magic bytes, whatever the name) is inflated. */
export async function fileText(file: Blob): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzip = head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (!gzip) return file.text();
  const stream = file.stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/** True when the text is FASTA (its first non-blank line is a `>` header). */
export function looksLikeFasta(text: string): boolean {
  return /^\s*>/.test(text);
}

/** The records of a FASTA text; `name` (a file name, or `pasted text`) goes into messages as `name:line: …`. */
export async function fastaRecords(text: string, name: string, role: string): Promise<FastaRecord[]> {
  const records: FastaRecord[] = [];
  for await (const r of parseFasta(textLines(text), name, { role })) records.push(r);
  return records;
}
