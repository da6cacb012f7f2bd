/**
 * Field splitting for delimited text (TSV and CSV) with RFC 4180 quoting: a field that starts
 * with `"` runs to the matching closing quote, `""` inside it is one quote, and it may span lines.
 */

export interface SplitResult {
  fields: string[];
  /** True when the text ends inside a quoted field: the record continues on the next line. */
  unterminated: boolean;
}

export function splitDelimited(text: string, delimiter: string): SplitResult {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 0x22 /* " */) {
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const quote = text.indexOf('"', i);
        if (quote < 0) {
          value += text.slice(i);
          i = n;
          break;
        }
        value += text.slice(i, quote);
        if (text.charCodeAt(quote + 1) === 0x22) {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          closed = true;
          break;
        }
      }
      if (!closed) {
        fields.push(value);
        return { fields, unterminated: true };
      }
      // Lenient like most spreadsheet exports: text between a closing quote and the delimiter is kept.
      const end = text.indexOf(delimiter, i);
      value += end < 0 ? text.slice(i) : text.slice(i, end);
      fields.push(value);
      if (end < 0) return { fields, unterminated: false };
      i = end + delimiter.length;
    } else {
      const end = text.indexOf(delimiter, i);
      if (end < 0) {
        fields.push(text.slice(i));
        return { fields, unterminated: false };
      }
      fields.push(text.slice(i, end));
      i = end + delimiter.length;
    }
  }
}

/**
 * One record of delimited text that {@link splitDelimited} reads back as `values`: a field is quoted
 * (RFC 4180, `"` doubled) only when it holds the delimiter, a quote at its start, or a line end.
 */
export function formatDelimitedRow(values: readonly string[], delimiter: string): string {
  return (
    values
      .map((value) => (value.includes(delimiter) || value.startsWith('"') || /[\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value))
      .join(delimiter) + '\n'
  );
}
