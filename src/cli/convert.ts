import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { convertKerasH5 } from '../model/convert.js';
import { modelFileKind } from '../model/model-file.js';
import { info } from './common.js';
import { checkOutputDirs } from './output.js';

export function convertCommand(): Command {
  return new Command('convert')
    .description('convert a Keras HDF5 model (.h5, Keras 2 / tf.keras, custom ResBlock included) to a TF.js layers model folder (model.json + weights)')
    .argument('<model.h5>', 'the Keras model file')
    .requiredOption('--out <dir>', 'folder to write model.json and its weight shard into')
    .option('--quiet', 'no progress on stderr')
    .action(async (file: string, o) => {
      if (modelFileKind(file) !== 'h5') throw new UsageError(`${file}: convert reads Keras .h5 files (an .onnx model is used directly with --model)`);
      await checkOutputDirs([o.out]);
      const r = await convertKerasH5(file, o.out);
      const params = r.graph.nodes.length;
      info(o.quiet)(`${file} → ${r.files.join(', ')}: ${r.weights} weights, ${params} graph nodes, input ${r.graph.inputShape.join('×')}`);
    });
}
