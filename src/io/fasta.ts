import { readLines } from './lines.js';
import { parseFasta, type FastaRecord, type ReadFastaOptions } from './fasta-parse.js';

export { parseFasta, type FastaRecord, type ReadFastaOptions } from './fasta-parse.js';

/**
 * Records of a FASTA file, read lazily; sequences may span several lines. Blank lines and `;`
 * comment lines are skipped. Letters outside ACGTUN are an InputError naming the exact line.
 */
export function readFasta(file: string, options: ReadFastaOptions = {}): AsyncGenerator<FastaRecord> {
  return parseFasta(readLines(file), file, options);
}
