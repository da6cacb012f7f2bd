/** Hand-made inputs for the render tests (not a test file itself). */
import type { AlignmentResult, SiteType } from '../../src/alignment/types.js';
import { isWatsonCrick } from '../../src/encoding/index.js';

export { bindingMatrix } from '../../src/encoding/index.js';

export const MIRNA = 'TGAGGTAGTAGGTTGTATAG';
export const TARGET = 'ATGTCAACCTACCTACTTCTAAGCACAGGGTATGAAGCTCTCTTTCCACT';

/**
 * A let-7 duplex: miRNA positions 20–15 overhang the target's 5' end, 14–9 pair with target
 * 1–6, a 2-nt target bulge, 8–1 against target 9–16, then 34 unpaired target bases: 56 columns,
 * 14 of them with a base on both sides.
 */
export function fixtureAlignment(miRNA = MIRNA, target = TARGET): AlignmentResult {
  const cols: [number, number][] = [];
  for (let p = 20; p >= 15; p--) cols.push([-1, p]);
  for (let k = 0; k < 6; k++) cols.push([k, 14 - k]);
  cols.push([6, -1], [7, -1]);
  for (let k = 0; k < 8; k++) cols.push([8 + k, 8 - k]);
  for (let i = 16; i < target.length; i++) cols.push([i, -1]);
  const at = (i: number) => (i < 0 ? '-' : target[i]!);
  const am = (p: number) => (p < 0 ? '-' : miRNA[p - 1]!);
  const raw = cols.map(([i, p]) => {
    if (i < 0 || p < 0) return 0;
    if (isWatsonCrick(at(i), am(p))) return p >= 2 && p <= 8 ? 0.5 + p * 0.05 : 0.1;
    return -0.2;
  });
  const max = Math.max(...raw.map(Math.abs));
  const columnScores = raw.map((v) => v / max);
  const mirnaImportance = new Array<number>(20).fill(0);
  const targetImportance = new Array<number>(target.length).fill(0);
  cols.forEach(([i, p], c) => {
    if (p > 0) mirnaImportance[p - 1] = columnScores[c]!;
    if (i >= 0) targetImportance[i] = columnScores[c]!;
  });
  return {
    miRNA,
    target,
    alignedTarget: cols.map(([i]) => at(i)).join(''),
    alignedMirna: cols.map(([, p]) => am(p)).join(''),
    columnScores,
    mirnaImportance,
    targetImportance,
    alignmentScore: 3.25,
  };
}

export const FIXTURE_SITE: SiteType = { type: 'offset 6mer', position: 8 };

/** A deterministic attribution matrix with one strong positive cell, one strong negative one and a ramp. */
export function fixtureAttributions(): Float32Array {
  const a = new Float32Array(50 * 20);
  for (let i = 0; i < 50; i++) for (let j = 0; j < 20; j++) a[i * 20 + j] = Math.sin(i * 0.37 + j * 0.91) * 0.002;
  a[10 * 20 + 5] = 0.01; // max
  a[30 * 20 + 15] = -0.008;
  return a;
}

/**
 * A well-formedness check without a DOM: tags nest and close, attribute values are quoted,
 * and no raw `<` or bare `&` appears in text. Returns the problems found.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (/&(?!(amp|lt|gt|quot|#39|#x?[0-9a-fA-F]+);)/.test(text)) problems.push(`bare & in text near ${JSON.stringify(text.slice(0, 40))}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) {
      problems.push(`malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 60))}`);
      break;
    }
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClosing) stack.push(name!);
    i = tag.lastIndex;
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

export function count(haystack: string, needle: string | RegExp): number {
  if (typeof needle === 'string') return haystack.split(needle).length - 1;
  return (haystack.match(new RegExp(needle.source, needle.flags.includes('g') ? needle.flags : needle.flags + 'g')) ?? []).length;
}
