export {
  el,
  fragment,
  trusted,
  escapeText,
  escapeAttr,
  fmt,
  svgDocument,
  Markup,
  DEFAULT_FONT,
  MONO_FONT,
  type Attrs,
  type AttrValue,
  type Child,
  type SvgDocumentOptions,
} from './svg.js';
export {
  linearScale,
  bandScale,
  niceTicks,
  niceDomain,
  tickStep,
  type LinearScale,
  type BandScale,
} from './scale.js';
export {
  DIVERGING_21,
  NEUTRAL_COLOR,
  maxAbs,
  roundHalfEven,
  paletteIndex,
  paletteColor,
  paletteColors,
  divergingColor,
} from './palette.js';
export { axisBottom, axisLeft, scaleTicks, defaultTickFormat, type AxisOptions, type AxisTick } from './axis.js';
export { colorBar, type ColorBarOptions } from './colorbar.js';
export { colorBlocks, type ColorBlocksOptions } from './blocks.js';
export { alignmentFigure, pairMark, paletteLegend, type AlignmentFigureOptions, type PairMark } from './alignment-figure.js';
export { importanceBars, type ImportanceBarsOptions } from './importance-bars.js';
export { attributionHeatmap, type HeatmapOptions } from './heatmap.js';
export { pairFigure, FIGURE_KINDS, type FigureKind, type FigurePair } from './figures.js';
export {
  svgToPng,
  rasterize,
  renderFigure,
  figureExtension,
  systemFontFiles,
  type PngOptions,
  type RasterImage,
  type FigureFormat,
} from './png.js';
export {
  buildReport,
  duplexText,
  topPositions,
  SITE_TYPE_ORDER,
  type ReportItem,
  type ReportOptions,
} from './report.js';
export { compareFigure, barsPanel, type CompareFigureData, type BarsPanelOptions } from './compare-figure.js';
export { mutagenesisFigure, type MutagenesisFigurePair, type MutagenesisFigureOptions } from './mutagenesis-figure.js';
