import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode } from '../graph.js';
import type { CompiledGraph } from './compiled.js';

/** Ops whose backward pass is their ordinary (linear) gradient under every rule set. */
const LINEAR = new Set(['conv2d', 'batchnorm', 'dense', 'flatten', 'avgpool', 'identity', 'add']);

export function isLinearKind(kind: string): boolean {
  return LINEAR.has(kind);
}

/**
 * Input multiplier of a non-linear node (activation, max pooling) from its output multiplier:
 * the plain chain rule for gradients, the DeepLIFT rules for DeepSHAP.
 */
export type NonlinearRule = (node: GraphNode, m: tf.Tensor) => tf.Tensor;

/**
 * Propagates a multiplier from the output of `startNode` back to the graph input, walking the
 * nodes in reverse topological order; a node feeding several consumers receives the sum of their
 * multipliers (the residual add hands its multiplier unchanged to both branches). Takes
 * ownership of `startM`; the caller owns the returned tensor. Intermediates are freed as soon as
 * they are consumed, so the peak memory is a few multiplier maps, not the whole network.
 */
export function propagate(cg: CompiledGraph, startNode: number, startM: tf.Tensor, rule: NonlinearRule): tf.Tensor {
  const g = cg.graph;
  const mult = new Map<number, tf.Tensor>([[startNode, startM]]);
  const give = (id: number, t: tf.Tensor): void => {
    const prev = mult.get(id);
    if (!prev) {
      mult.set(id, t);
      return;
    }
    const sum = tf.add(prev, t);
    prev.dispose();
    t.dispose();
    mult.set(id, sum);
  };
  for (let id = startNode; id >= 0; id--) {
    if (id === g.input) continue;
    const m = mult.get(id);
    if (!m) continue;
    mult.delete(id);
    const node = g.nodes[id]!;
    const kind = node.op.kind;
    if (kind === 'identity') {
      give(node.inputs[0]!, m);
    } else if (kind === 'add') {
      node.inputs.forEach((i, k) => give(i, k === 0 ? m : tf.clone(m)));
    } else {
      const mIn = tf.tidy(() => (LINEAR.has(kind) ? cg.linearBackward(node, m) : rule(node, m)));
      m.dispose();
      give(node.inputs[0]!, mIn);
    }
  }
  const out = mult.get(g.input);
  for (const [id, t] of mult) if (id !== g.input) t.dispose();
  if (!out) throw new Error('the explained output does not depend on the input');
  return out;
}
