/**
 * Model files other than a TF.js layers folder: `.onnx` (PyTorch exports and the like) and Keras
 * HDF5 `.h5`, each read straight into the engine-neutral `ModelGraph`.
 */
import { readFile } from 'node:fs/promises';
import { ModelError } from '../errors.js';
import type { ModelGraph } from './graph.js';

export const MODEL_FILE_EXTENSIONS = ['.onnx', '.h5', '.hdf5', '.keras'] as const;

/** `.onnx`, `.h5`/`.hdf5` (Keras HDF5), or `.keras` (refused with a hint), by extension. */
export function modelFileKind(file: string): 'onnx' | 'h5' | 'keras3' | null {
  const lower = file.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) return 'h5';
  if (lower.endsWith('.keras')) return 'keras3';
  return null;
}

/** The graph of an `.onnx` or `.h5` model file. */
export async function importModelFile(file: string): Promise<ModelGraph> {
  switch (modelFileKind(file)) {
    case 'onnx': {
      const { importOnnx } = await import('./onnx-import.js');
      return importOnnx(new Uint8Array(await readFile(file)), file);
    }
    case 'h5': {
      const { importKerasH5 } = await import('./keras-h5.js');
      return importKerasH5(file);
    }
    case 'keras3':
      throw new ModelError(`${file}: Keras 3 .keras archives are not read; save the model as HDF5 (model.save('model.h5')) or export it to ONNX`);
    default:
      throw new ModelError(`${file}: not a model file (.onnx or .h5)`);
  }
}
