import type { AlignmentResult, SiteType, SiteTypeName } from './types.js';
import { isWatsonCrick, normalizeSequence, reverseComplement } from '../encoding/index.js';

/** Site types from the strongest to the weakest (TargetScan's canonical order). */
export const SITE_TYPE_PRIORITY: readonly SiteTypeName[] = ['8mer', '7mer-m8', '7mer-A1', '6mer', 'offset 6mer'];

/**
 * Each canonical site as the miRNA positions `to..from` (1-based from the 5' end) that must pair, and
 * whether an A must follow opposite miRNA position 1.
 */
const SITE_PATTERNS: readonly { type: SiteTypeName; from: number; to: number; a1: boolean }[] = [
  { type: '8mer', from: 8, to: 2, a1: true },
  { type: '7mer-m8', from: 8, to: 2, a1: false },
  { type: '7mer-A1', from: 7, to: 2, a1: true },
  { type: '6mer', from: 7, to: 2, a1: false },
  { type: 'offset 6mer', from: 8, to: 3, a1: false },
];

/** N (or anything else) pairs with nothing, so a seed holding one has no site. */
const PAIRING_BASES = /^[ACGT]+$/;

/**
 * The best TargetScan canonical site of `miRNA` anywhere in `target` (method.md §4, "Site types"):
 * 8mer > 7mer-m8 > 7mer-A1 > 6mer > offset 6mer > none, Watson-Crick pairs only (no G:U), case-insensitive,
 * `U` = `T`. `position` is the 0-based start of the site on the target read 5'→3', i.e. the target base
 * opposite the site's highest miRNA position (8, or 7 for 7mer-A1/6mer); the 5'-most when a type occurs twice.
 */
export function siteType(miRNA: string, target: string): SiteType {
  const mirna = normalizeSequence(miRNA);
  const sequence = normalizeSequence(target);
  for (const { type, from, to, a1 } of SITE_PATTERNS) {
    const seed = mirna.slice(to - 1, from);
    if (seed.length < from - to + 1 || !PAIRING_BASES.test(seed)) continue;
    // The site is the seed's reverse complement (antiparallel), followed by the A opposite position 1.
    const position = sequence.indexOf(reverseComplement(seed) + (a1 ? 'A' : ''));
    if (position >= 0) return { type, position };
  }
  return { type: 'none', position: -1 };
}

export type MirnaRegionName = 'seed' | 'centre' | "3'";

export interface RegionPairing {
  region: MirnaRegionName;
  /** miRNA positions (1-based from the 5' end) of the region, inclusive; `last` is clipped to the miRNA length. */
  first: number;
  last: number;
  /** Alignment columns in the region with a Watson-Crick pair and a positive score. */
  paired: number;
  /** Sum of the positive scores of those columns. */
  importance: number;
  /** `paired` ≥ `minPairedFraction` of the region's length (and at least one column). */
  isPaired: boolean;
}

export interface AlignedRegions {
  seed: RegionPairing;
  centre: RegionPairing;
  threePrime: RegionPairing;
  /** The paired regions joined by `+` in 5'→3' order (`seed`, `seed+3'`, `centre+3'`, …), or `none`. */
  label: string;
}

export interface AlignedRegionsOptions {
  /** Fraction of a region's positions that must be paired for the region to count (default 0.5). */
  minPairedFraction?: number;
}

const REGIONS: readonly { region: MirnaRegionName; first: number; last: number }[] = [
  { region: 'seed', first: 2, last: 8 },
  { region: 'centre', first: 9, last: 12 },
  { region: "3'", first: 13, last: 20 },
];

/**
 * Which miRNA regions the model-derived alignment pairs: seed (positions 2–8), centre (9–12) and 3' (13–20),
 * counting columns whose bases are a Watson-Crick pair and whose score (the model's attribution) is positive.
 */
export function alignedRegions(result: AlignmentResult, options: AlignedRegionsOptions = {}): AlignedRegions {
  const minFraction = options.minPairedFraction ?? 0.5;
  const { alignedTarget, alignedMirna, columnScores } = result;
  let mirnaLength = 0;
  for (const c of alignedMirna) if (c !== '-') mirnaLength++;
  const pairing = REGIONS.map(({ region, first, last }) => ({
    region,
    first,
    last: Math.min(last, Math.max(mirnaLength, first - 1)),
    paired: 0,
    importance: 0,
    isPaired: false,
  }));
  // The aligned miRNA reads 3'→5', so its first base is position n.
  let position = mirnaLength + 1;
  for (let col = 0; col < alignedMirna.length; col++) {
    if (alignedMirna[col] === '-') continue;
    position--;
    const score = columnScores[col]!;
    if (!(score > 0) || !isWatsonCrick(alignedTarget[col]!, alignedMirna[col]!)) continue;
    const region = pairing.find((r) => position >= r.first && position <= r.last);
    if (region) {
      region.paired++;
      region.importance += score;
    }
  }
  for (const r of pairing) {
    const length = r.last - r.first + 1;
    r.isPaired = length > 0 && r.paired > 0 && r.paired >= minFraction * length;
  }
  const label = pairing.filter((r) => r.isPaired).map((r) => r.region).join('+') || 'none';
  return { seed: pairing[0]!, centre: pairing[1]!, threePrime: pairing[2]!, label };
}
