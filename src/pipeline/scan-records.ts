/**
 * The site records, tracks and track figure of a scan, as text: the `scan` job writes them to
 * files, the viewer offers them as downloads. No file or Node API here.
 */
import type { PairRecord } from '../io/pairs.js';
import { formatTsvRow } from '../io/tsv-format.js';
import { formatDuplex } from '../alignment/index.js';
import type { ScanSite, SequenceScan } from '../analysis/scanner.js';
import { scanTrackFigure } from '../render/scan-track.js';
import { alignmentFields, mirnaImportanceLine, recordToTsv, round9 } from './records.js';
import type { RecordFormat } from './explain.js';

export const SITE_TSV_COLUMNS = [
  'id', 'site', 'position', 'window_start', 'window_end', 'peak_height', 'window_score', 'site_type', 'site_position',
  'aligned_regions', 'aligned_target', 'aligned_mirna', 'alignment_score', 'mirna_importance', 'target_importance', 'column_scores',
] as const;

/** One site as a JSON/TSV record (positions 1-based; `site_position` null when no canonical site). */
export function siteRecord(id: string, pair: PairRecord, index: number, site: ScanSite): Record<string, unknown> {
  return {
    id,
    miRNA: pair.miRNA,
    site: index + 1,
    position: site.position,
    window_start: site.windowStart,
    window_end: site.windowEnd,
    peak_height: round9(site.peakHeight),
    window_score: round9(site.windowScore),
    site_type: site.siteType.type,
    site_position: site.siteType.position,
    ...alignmentFields(site.alignment),
  };
}

/** The site records of one sequence in `format`; text also has a summary line per sequence. */
export function formatScan(id: string, scan: SequenceScan, format: RecordFormat, threshold: number): string {
  const records = scan.sites.map((s, k) => siteRecord(id, scan.pair, k, s));
  if (format === 'json') return records.map((r) => JSON.stringify(r) + '\n').join('');
  if (format === 'tsv') return records.map((r) => recordToTsv(r, SITE_TSV_COLUMNS)).join('');
  const lines = [
    `# ${id}: ${scan.pair.target.length} nt, ${scan.starts.length} windows, ${scan.explained} with score > ${threshold}, ${scan.sites.length} site(s)`,
  ];
  scan.sites.forEach((s, k) => {
    const r = records[k]!;
    const site = s.siteType.type === 'none' ? 'none' : `${s.siteType.type} at ${s.siteType.position}`;
    lines.push(
      `## site ${k + 1}: position ${s.position} (window ${s.windowStart}-${s.windowEnd}; duplex positions are within the window)   ` +
        `attribution peak ${s.peakHeight.toPrecision(4)}   window score ${s.windowScore.toFixed(4)}   site type ${site}   model-paired regions ${r.aligned_regions}`,
    );
    lines.push(formatDuplex(s.alignment));
    lines.push(mirnaImportanceLine(s.alignment.mirnaImportance, scan.pair.miRNA));
  });
  return lines.join('\n') + '\n\n';
}

/** The per-position rows of one sequence for `--tracks`. */
export function trackRows(id: string, scan: SequenceScan, mask: Uint8Array | undefined, withLabel: boolean): string {
  let out = '';
  const target = scan.pair.target;
  for (let i = 0; i < target.length; i++) {
    const row: (string | number)[] = [id, i + 1, target[i]!, round9(scan.windowTrack[i]!), round9(scan.signal[i]!)];
    if (withLabel) row.push(mask ? mask[i]! : '');
    out += formatTsvRow(row);
  }
  return out;
}

export const TRACK_COLUMNS = ['id', 'position', 'base', 'window_score', 'attribution_signal'] as const;

export function scanFigureSvg(id: string, scan: SequenceScan, mask: Uint8Array | undefined): string {
  return scanTrackFigure(
    { target: scan.pair.target, windowScore: scan.windowTrack, signal: scan.signal, smoothed: scan.smoothed, sites: scan.sites, mask },
    { title: `scan of ${id} (${scan.pair.miRNA})` },
  );
}
