/** TSV text, without files: shared by the writers (`io/tsv.ts`) and the viewer's downloads. */

export type TsvValue = string | number | boolean | null | undefined;

/**
 * One TSV field: tab, newline, carriage return and backslash become `\t`, `\n`, `\r`, `\\` (the
 * IANA text/tab-separated-values convention), so every row stays one line with a fixed field count.
 * null/undefined → empty; numbers in JavaScript's shortest round-trip form.
 */
export function escapeTsvField(value: TsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[\t\n\r\\]/.test(text) ? text.replace(/[\t\n\r\\]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\')) : text;
}

/** One row with its line end. */
export function formatTsvRow(values: readonly TsvValue[]): string {
  return values.map(escapeTsvField).join('\t') + '\n';
}
