/** Small DOM helpers shared by the viewer's tabs. */

/** Longest miRNA the page accepts (a transcript pasted into the miRNA field is refused, not truncated). */
export const MAX_MIRNA_LENGTH = 30;

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page has no #${id}`);
  return node as T;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Shows (or, for an empty message, hides) a field's message next to it; marks the field invalid or not. */
export function showFieldMessage(field: HTMLElement, messageId: string, message: string, invalid: boolean): void {
  const out = byId<HTMLParagraphElement>(messageId);
  out.textContent = message;
  out.hidden = message === '';
  field.setAttribute('aria-invalid', String(invalid));
}
