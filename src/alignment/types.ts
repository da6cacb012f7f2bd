/** Result of one attribution sequence alignment (method.md §4), in the user-facing orientation. */
export interface AlignmentResult {
  miRNA: string;
  target: string;
  /** Target 5'→3', `-` for gaps. */
  alignedTarget: string;
  /** miRNA 3'→5' (antiparallel, under the target as in a duplex), `-` for gaps. */
  alignedMirna: string;
  /** One score per aligned column (same order as the aligned strings). */
  columnScores: number[];
  /** 20 values, position 1 = miRNA 5' end, zero-padded at the 3' end for shorter miRNAs. */
  mirnaImportance: number[];
  /** One value per target base, 5'→3'. */
  targetImportance: number[];
  /** The DP's end score D[M][N]. */
  alignmentScore: number;
}

export type SiteTypeName = '8mer' | '7mer-m8' | '7mer-A1' | '6mer' | 'offset 6mer' | 'none';

export interface SiteType {
  type: SiteTypeName;
  /** 0-based start of the site in the target (5'→3'), -1 for none. */
  position: number;
}
