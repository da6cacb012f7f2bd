import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

export interface PngOptions {
  /** Output width in px (height follows the aspect ratio). */
  width?: number;
  /** Zoom factor when no width is given (default 2, for crisp letters). */
  scale?: number;
  /** Background colour (default white; the figures also paint their own). */
  background?: string;
  /** Extra font files, e.g. when the machine has no system fonts. */
  fontFiles?: string[];
}

export interface RasterImage {
  width: number;
  height: number;
  /** RGBA, row-major, 4 bytes per pixel. */
  pixels: Buffer;
  png: Buffer;
}

const FONT_DIRS = [
  '/usr/share/fonts',
  '/usr/local/share/fonts',
  path.join(os.homedir(), '.fonts'),
  path.join(os.homedir(), '.local/share/fonts'),
  '/System/Library/Fonts',
  '/Library/Fonts',
  'C:\\Windows\\Fonts',
];

let systemFontsCache: string[] | undefined;

/** Font files resvg can load from the usual system folders (searched once per process). */
export function systemFontFiles(): string[] {
  if (systemFontsCache) return systemFontsCache;
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 5 || found.length > 2000) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = path.join(dir, name);
      if (/\.(ttf|otf|ttc)$/i.test(name)) found.push(p);
      else {
        try {
          if (statSync(p).isDirectory()) walk(p, depth + 1);
        } catch {
          // unreadable entries are skipped
        }
      }
    }
  };
  for (const dir of FONT_DIRS) if (existsSync(dir)) walk(dir, 0);
  systemFontsCache = found.sort();
  return systemFontsCache;
}

function resvgOptions(options: PngOptions): ResvgRenderOptions {
  const extra = options.fontFiles ?? [];
  if (extra.length === 0 && systemFontFiles().length === 0) {
    // resvg silently drops <text> it has no font for; a PNG without its letters is worse than an error.
    throw new Error(
      'svgToPng: no fonts found for the figure text. Install a font package (Debian: apt-get install fonts-dejavu-core) or pass fontFiles.',
    );
  }
  const hasDejaVu = systemFontFiles().some((f) => /DejaVuSans\.ttf$/.test(f));
  const hasDejaVuMono = systemFontFiles().some((f) => /DejaVuSansMono\.ttf$/.test(f));
  return {
    background: options.background ?? '#ffffff',
    fitTo: options.width ? { mode: 'width', value: Math.round(options.width) } : { mode: 'zoom', value: options.scale ?? 2 },
    font: {
      loadSystemFonts: true,
      fontFiles: extra,
      defaultFontFamily: hasDejaVu ? 'DejaVu Sans' : undefined,
      sansSerifFamily: hasDejaVu ? 'DejaVu Sans' : undefined,
      monospaceFamily: hasDejaVuMono ? 'DejaVu Sans Mono' : undefined,
    },
    shapeRendering: 2,
    textRendering: 1,
    logLevel: 'off',
  };
}

/** Rasterises an SVG; `pixels` gives the RGBA buffer for checks without decoding the PNG. */
export function rasterize(svg: string, options: PngOptions = {}): RasterImage {
  const image = new Resvg(svg, resvgOptions(options)).render();
  return { width: image.width, height: image.height, pixels: image.pixels, png: image.asPng() };
}

/** PNG bytes of an SVG figure. */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  return rasterize(svg, options).png;
}

export type FigureFormat = 'svg' | 'png';

/** What `--format svg|png` writes: the SVG text itself or its PNG bytes. */
export function renderFigure(svg: string, format: 'svg', options?: PngOptions): string;
export function renderFigure(svg: string, format: 'png', options?: PngOptions): Buffer;
export function renderFigure(svg: string, format: FigureFormat, options?: PngOptions): string | Buffer;
export function renderFigure(svg: string, format: FigureFormat, options: PngOptions = {}): string | Buffer {
  if (format === 'svg') return svg;
  if (format === 'png') return svgToPng(svg, options);
  throw new Error(`unknown figure format: ${String(format)} (expected svg or png)`);
}

/** The file extension of a format, for CLI output names. */
export function figureExtension(format: FigureFormat): string {
  return format === 'png' ? '.png' : '.svg';
}
