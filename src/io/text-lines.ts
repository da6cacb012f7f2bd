/** Lines of text held in memory (the file reader `readLines` gives the same records from a file). */

/** One line of text, as `readLines` gives it. */
export interface TextLine {
  /** Without the line end (LF, CRLF or a lone trailing CR) and, on line 1, without a UTF-8 BOM. */
  text: string;
  /** 1-based. */
  line: number;
}

/** The lines of a text held in memory, with `readLines`' rules (LF, CRLF, a BOM on line 1). */
export function textLines(text: string): TextLine[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parts = body.split(/\r?\n/);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((t, i) => ({ text: t.endsWith('\r') ? t.slice(0, -1) : t, line: i + 1 }));
}
