/**
 * The site records, BED rows, tracks and track figure of a scan, as text: the `scan` job writes them to
 * files, the viewer can offer them as downloads. No file or Node API here.
 */
import type { PairRecord } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { formatBed6 } from '../io/bed.js';
import { formatDuplex } from '../alignment/index.js';
import { bedScore } from '../analysis/scan-sites.js';
import type { ScanSite, SequenceScan } from '../analysis/scanner.js';
import { scanTrackFigure } from '../render/scan-track.js';
import { alignmentFields, mirnaImportanceLine, recordToTsv, round9, type RecordFormat } from './records.js';

/** A record's names: FASTA headers (`miRNA_id`, `target_id`), else the `id` column (target) and the miRNA sequence, else the record number. */
export interface ScanNames {
  mirnaId: string;
  targetId: string;
}

function field(pair: PairRecord, name: string): string | undefined {
  const key = Object.keys(pair.fields).find((k) => k.trim().toLowerCase() === name);
  const v = key === undefined ? undefined : pair.fields[key]!.trim();
  return v ? v : undefined;
}

export function scanNames(pair: PairRecord, index: number): ScanNames {
  return {
    mirnaId: field(pair, 'mirna_id') ?? pair.miRNA,
    targetId: field(pair, 'target_id') ?? pair.id ?? String(index + 1),
  };
}

export const SITE_TSV_COLUMNS = [
  'mirna_id', 'target_id', 'rank', 'score', 'start', 'end', 'position', 'window_start', 'window_end', 'peak_height', 'window_score', 'site_type', 'site_position',
  'aligned_regions', 'aligned_target', 'aligned_mirna', 'alignment_score', 'mirna_importance', 'target_importance', 'column_scores',
] as const;

/** One site as a JSON/TSV record: positions 1-based inclusive on the whole target; `start`/`end` the aligned target span (null when none). */
export function siteRecord(names: ScanNames, pair: PairRecord, site: ScanSite): Record<string, unknown> {
  return {
    mirna_id: names.mirnaId,
    target_id: names.targetId,
    ...(pair.id !== undefined ? { id: pair.id } : {}),
    miRNA: pair.miRNA,
    rank: site.rank,
    score: round9(site.score),
    start: site.span ? site.span.start + 1 : null,
    end: site.span ? site.span.end + 1 : null,
    position: site.position + 1,
    window_start: site.windowStart + 1,
    window_end: site.windowEnd + 1,
    peak_height: round9(site.peakHeight),
    window_score: round9(site.windowScore),
    site_type: site.siteType.type,
    site_position: site.siteType.position < 0 ? null : site.siteType.position + 1,
    ...alignmentFields(site.alignment),
  };
}

/** The site records of one sequence in `format` (best first); text also has a summary line per sequence. */
export function formatScan(names: ScanNames, scan: SequenceScan<PairRecord>, format: RecordFormat): string {
  const records = scan.sites.map((s) => siteRecord(names, scan.pair, s));
  if (format === 'json') return records.map((r) => JSON.stringify(r) + '\n').join('');
  if (format === 'tsv') return records.map((r) => recordToTsv(r, SITE_TSV_COLUMNS)).join('');
  const lines = [
    `# ${names.mirnaId} × ${names.targetId}: ${scan.pair.target.length} nt, ${scan.starts.length} windows, ${scan.explained} explained, ${scan.sites.length} site(s)`,
  ];
  scan.sites.forEach((s, k) => {
    const r = records[k]!;
    const site = s.siteType.type === 'none' ? 'none' : `${s.siteType.type} at ${s.siteType.position + 1}`;
    const span = s.span ? `${s.span.start + 1}-${s.span.end + 1}` : 'none';
    lines.push(
      `## site ${s.rank}: score ${s.score.toFixed(4)}   aligned target ${span}   site type ${site}   peak ${s.position + 1} (window ${s.windowStart + 1}-${s.windowEnd + 1}; ` +
        `duplex positions are within the window)   peak height ${s.peakHeight.toPrecision(4)}   model-paired regions ${r.aligned_regions}`,
    );
    lines.push(formatDuplex(s.alignment));
    lines.push(mirnaImportanceLine(s.alignment.mirnaImportance, scan.pair.miRNA));
  });
  return lines.join('\n') + '\n\n';
}

/** BED6 rows of one sequence's sites (those with an aligned span), best first. */
export function bedRows(names: ScanNames, scan: SequenceScan): string {
  let out = '';
  for (const s of scan.sites) {
    if (!s.span) continue;
    const name = s.siteType.type === 'none' ? names.mirnaId : `${names.mirnaId}:${s.siteType.type}`;
    out += formatBed6({ chrom: names.targetId, start: s.span.start, end: s.span.end + 1, name, score: bedScore(s.score), strand: '+' });
  }
  return out;
}

export const TRACK_COLUMNS = ['mirna_id', 'target_id', 'position', 'base', 'window_score', 'attribution_signal'] as const;

/** The per-position rows of one sequence for `--tracks`. */
export function trackRows(names: ScanNames, scan: SequenceScan, mask: Uint8Array | undefined, withLabel: boolean): string {
  let out = '';
  const target = scan.pair.target;
  for (let i = 0; i < target.length; i++) {
    const row: (string | number)[] = [names.mirnaId, names.targetId, i + 1, target[i]!, round9(scan.windowTrack[i]!), round9(scan.signal[i]!)];
    if (withLabel) row.push(mask ? mask[i]! : '');
    out += formatTsvRow(row);
  }
  return out;
}

export function scanFigureSvg(names: ScanNames, scan: SequenceScan, mask: Uint8Array | undefined): string {
  const sites = scan.sites.map((s) => ({ position: s.position + 1, windowStart: s.windowStart + 1, windowEnd: s.windowEnd + 1 }));
  return scanTrackFigure(
    { target: scan.pair.target, windowScore: scan.windowTrack, signal: scan.signal, smoothed: scan.smoothed, sites, mask },
    { title: `scan of ${names.targetId} (${names.mirnaId})` },
  );
}

