/** Attribution methods the toolkit offers, in the order the CLI lists them (`--method`). */
export const ATTRIBUTION_METHODS = [
  'deepshap',
  'expected-gradients',
  'integrated-gradients',
  'saliency',
  'grad-input',
  'ism',
  'occlusion',
] as const;

export type AttributionMethod = (typeof ATTRIBUTION_METHODS)[number];

export interface AttributionMethodInfo {
  /** Output per batch of N pairs, as written to `.npy`. */
  shape: string;
  /** One line for `--help`. */
  description: string;
  /** Whether the output is a per-cell `[50, 20]` matrix the alignment can take directly. */
  perCell: boolean;
  /** Whether the method needs a background set (`--background`). */
  needsBackground: boolean;
  /** Whether the engine must provide gradients (otherwise scores suffice). */
  needsGradient: boolean;
}

export const ATTRIBUTION_METHOD_INFO: Readonly<Record<AttributionMethod, AttributionMethodInfo>> = Object.freeze({
  deepshap: {
    shape: '[N,50,20]',
    description: "DeepSHAP (SHAP's DeepExplainer: DeepLIFT rescale rule averaged over a background); the paper's method",
    perCell: true,
    needsBackground: true,
    needsGradient: false,
  },
  'expected-gradients': {
    shape: '[N,50,20]',
    description: "Expected gradients (SHAP's GradientExplainer): gradients at random points between the pair and background rows; 200 samples, seed 0",
    perCell: true,
    needsBackground: true,
    needsGradient: true,
  },
  'integrated-gradients': {
    shape: '[N,50,20]',
    description: 'Integrated gradients from the all-zero matrix, trapezoidal rule, 50 steps',
    perCell: true,
    needsBackground: false,
    needsGradient: true,
  },
  saliency: {
    shape: '[N,50,20]',
    description: 'Saliency: the plain gradient d p1 / d input',
    perCell: true,
    needsBackground: false,
    needsGradient: true,
  },
  'grad-input': {
    shape: '[N,50,20]',
    description: 'Gradient × input: the gradient on the paired cells, 0 elsewhere',
    perCell: true,
    needsBackground: false,
    needsGradient: true,
  },
  ism: {
    shape: '[N,20] (+ mutant scores [N,20,3])',
    description: 'ISM Full: each miRNA position mutated to the 3 other bases, p1(original) − mean p1(mutants); per position, not per cell',
    perCell: false,
    needsBackground: false,
    needsGradient: false,
  },
  occlusion: {
    shape: '[N,50,20]',
    description: 'Occlusion: each paired cell set to 0 in turn, p1(x) − p1(occluded); 0 on unpaired cells',
    perCell: true,
    needsBackground: false,
    needsGradient: false,
  },
});

export function isAttributionMethod(name: string): name is AttributionMethod {
  return (ATTRIBUTION_METHODS as readonly string[]).includes(name);
}

/** `--method` help text: one line per method, name, shape and description. */
export function attributionMethodsHelp(): string {
  const width = Math.max(...ATTRIBUTION_METHODS.map((m) => m.length));
  return ATTRIBUTION_METHODS.map((m) => {
    const info = ATTRIBUTION_METHOD_INFO[m];
    return `${m.padEnd(width)}  ${info.shape}  ${info.description}`;
  }).join('\n');
}
