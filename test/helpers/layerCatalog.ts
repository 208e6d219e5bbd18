// One small training case per name the public tf.layers namespace exposes (factories and the classes
// Layer, RNN, RNNCell), for the kernel audit (test/unit/layer-kernel-audit.test.ts) and the per-layer
// bench (bench/layers.ts). A name with no case here fails the audit, so a tfjs upgrade that adds a layer
// is caught; aliases (avgPool2d for averagePooling2d) are checked to build the same class as their target.
//
// Each case builds fresh layers (so cpu and wasm start from the same seeded state) and names its inputs.
// test/helpers/layerStep.ts sets every weight to the same deterministic values, applies the layer in
// training mode and takes the gradient of every weight and of each float input.
import type * as TfNamespace from '@tensorflow/tfjs';

type Tf = typeof TfNamespace;
type Layers = Tf['layers'];
export type Layer = TfNamespace.layers.Layer;

export interface InputSpec {
  shape: number[];
  /** float (default): values in [-1, 1), differentiated; int: values in [0, max). */
  dtype?: 'float32' | 'int32';
  max?: number;
  /** Rows (axis 1 positions) set to zero in every batch entry, for Masking. */
  zeroSteps?: number[];
}

export interface LayerCase {
  /** Builds the layer (or a small model around it) to apply. */
  build: (tf: Tf) => Layer;
  inputs: InputSpec[];
  /** Several configurations of one factory, each built and checked. */
  variant?: string;
  /** Why the output has no gradient at all (integer inputs, no weights): the forward pass is compared. */
  forwardOnly?: string;
  /** Why tfjs defines no gradient for the input (the weights' gradients are still taken). */
  noInputGradient?: string;
  /** tfjs 4.22 cannot take this layer's gradient on any backend: the error both backends must give
   *  (then the training-mode forward pass is compared). A tfjs that fixes it fails the audit, to update it. */
  untrainable?: RegExp;
}

export type CatalogEntry = LayerCase[] | { alias: string };

const f = (...shape: number[]): InputSpec => ({ shape });
const one = (build: (L: Layers, tf: Tf) => Layer, ...inputs: InputSpec[]): LayerCase[] =>
  [{ build: (tf) => build(tf.layers, tf), inputs }];

const SEQ = f(2, 5, 4);
const IMG = f(2, 6, 6, 3);
const VOL = f(2, 4, 4, 4, 2);

/** A layer users write themselves: one weight, built in build(), used in call(). */
function customLayer(tf: Tf): Layer {
  class Scale extends tf.layers.Layer {
    static className = 'AuditScale';
    private scale: TfNamespace.LayerVariable | null = null;
    build(inputShape: TfNamespace.Shape | TfNamespace.Shape[]): void {
      const shape = inputShape as number[];
      this.scale = this.addWeight('scale', [shape[shape.length - 1]], 'float32', tf.initializers.ones());
      this.built = true;
    }
    call(inputs: TfNamespace.Tensor | TfNamespace.Tensor[]): TfNamespace.Tensor {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.tanh(tf.mul(x, this.scale!.read()));
    }
  }
  return new Scale({});
}

/** A recurrent cell users write themselves (tf.layers.RNNCell): h' = tanh(x W + h U). */
function customCell(tf: Tf): TfNamespace.layers.RNNCell {
  class MinimalCell extends tf.layers.RNNCell {
    static className = 'AuditMinimalCell';
    readonly units = 3;
    readonly stateSize = 3;
    private kernel: TfNamespace.LayerVariable | null = null;
    private recurrent: TfNamespace.LayerVariable | null = null;
    build(inputShape: TfNamespace.Shape | TfNamespace.Shape[]): void {
      const shape = inputShape as number[];
      this.kernel = this.addWeight('kernel', [shape[shape.length - 1], this.units], 'float32', tf.initializers.ones());
      this.recurrent = this.addWeight('recurrent', [this.units, this.units], 'float32', tf.initializers.ones());
      this.built = true;
    }
    call(inputs: TfNamespace.Tensor | TfNamespace.Tensor[]): TfNamespace.Tensor[] {
      const [x, h] = inputs as TfNamespace.Tensor[];
      const out = tf.tanh(tf.add(tf.matMul(x as TfNamespace.Tensor2D, this.kernel!.read() as TfNamespace.Tensor2D),
        tf.matMul(h as TfNamespace.Tensor2D, this.recurrent!.read() as TfNamespace.Tensor2D)));
      return [out, out];
    }
  }
  return new MinimalCell({});
}

/** One step of a recurrent cell as a layer of its own ([x, ...states] in, [output, ...states] out): a
 *  ConvLSTM2DCell builds from the input's shape alone, which Layer.apply cannot give it. */
function cellStep(tf: Tf, cell: Layer): Layer {
  class CellStep extends tf.layers.Layer {
    static className = 'AuditCellStep';
    build(inputShape: TfNamespace.Shape | TfNamespace.Shape[]): void {
      cell.build((inputShape as TfNamespace.Shape[])[0]);
      this.built = true;
    }
    get trainableWeights(): TfNamespace.LayerVariable[] {
      return cell.trainableWeights;
    }
    get nonTrainableWeights(): TfNamespace.LayerVariable[] {
      return cell.nonTrainableWeights;
    }
    call(inputs: TfNamespace.Tensor | TfNamespace.Tensor[], kwargs: TfNamespace.serialization.ConfigDict): TfNamespace.Tensor | TfNamespace.Tensor[] {
      return cell.call(inputs, kwargs);
    }
  }
  return new CellStep({});
}

/** Activation functions registered with tfjs's serialization (elu ... swish), each an Activation case. */
export function activationNames(tf: Tf): string[] {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [unknown, unknown]>;
  return Object.keys(map).filter((name) => {
    if (name[0] !== name[0].toLowerCase()) return false;
    try {
      tf.layers.activation({ activation: name as 'linear' });
      return true;
    } catch {
      return false;
    }
  }).sort();
}

export function layerCatalog(tf: Tf): Record<string, CatalogEntry> {
  return {
    Layer: [{ build: customLayer, inputs: [f(2, 4)] }],
    RNN: one((L) => new L.RNN({ cell: L.simpleRNNCell({ units: 3 }), returnSequences: true }), SEQ),
    RNNCell: one((L, t) => L.rnn({ cell: customCell(t) }), SEQ),
    input: one((L, t) => {
      const input = L.input({ shape: [4] });
      return t.model({ inputs: input, outputs: L.dense({ units: 3 }).apply(input) as TfNamespace.SymbolicTensor });
    }, f(2, 4)),
    inputLayer: one((L, t) => t.sequential({ layers: [L.inputLayer({ inputShape: [4] }), L.dense({ units: 3 })] }), f(2, 4)),

    // Core
    dense: one((L) => L.dense({ units: 3, activation: 'tanh' }), f(2, 5)),
    activation: activationNames(tf).map((activation) => ({
      variant: activation, build: (t: Tf) => t.layers.activation({ activation: activation as 'linear' }), inputs: [f(2, 6)],
    })),
    flatten: one((L) => L.flatten(), f(2, 3, 4)),
    reshape: one((L) => L.reshape({ targetShape: [4, 3] }), f(2, 3, 4)),
    permute: one((L) => L.permute({ dims: [2, 1] }), f(2, 3, 4)),
    repeatVector: one((L) => L.repeatVector({ n: 3 }), f(2, 4)),
    embedding: [{ build: (t) => t.layers.embedding({ inputDim: 10, outputDim: 4 }), inputs: [{ shape: [2, 5], dtype: 'int32', max: 10 }] }],
    masking: [{
      build: (t) => t.sequential({ layers: [t.layers.masking({ maskValue: 0, inputShape: [5, 4] }), t.layers.simpleRNN({ units: 3 })] }),
      inputs: [{ shape: [2, 5, 4], zeroSteps: [1, 4] }],
      noInputGradient: 'the mask is any(x != maskValue), and tfjs has no gradient for Any',
    }],

    // Convolutions
    conv1d: one((L) => L.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), f(2, 8, 3)),
    conv2d: one((L) => L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), IMG),
    conv2dTranspose: [
      { variant: 'strides 2, same', build: (t) => t.layers.conv2dTranspose({ filters: 3, kernelSize: 5, strides: 2, padding: 'same' }), inputs: [f(2, 3, 3, 4)] },
      { variant: 'strides 1, valid', build: (t) => t.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 1, padding: 'valid' }), inputs: [f(2, 3, 3, 4)] },
    ],
    conv3d: one((L) => L.conv3d({ filters: 3, kernelSize: 2, strides: 1, padding: 'valid' }), VOL),
    conv3dTranspose: [{
      build: (t) => t.layers.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, padding: 'same' }), inputs: [f(2, 3, 3, 3, 2)],
      untrainable: /gradient function not found for Conv3DBackpropInputV2/,
    }],
    separableConv2d: one((L) => L.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same' }), IMG),
    depthwiseConv2d: one((L) => L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }), IMG),
    cropping2D: one((L) => L.cropping2D({ cropping: [[1, 2], [0, 1]] }), IMG),
    // Nearest-neighbour resizing with a batch of one: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad reads
    // dy at the images' batch offset, wrong for every batch entry after the first (wasm's is right;
    // test/unit/wasm-kernels.test.ts shows both), so a larger batch cannot be compared with cpu.
    upSampling2d: [
      { variant: 'nearest', build: (t) => t.layers.upSampling2d({ size: [2, 3] }), inputs: [f(1, 3, 3, 2)] },
      { variant: 'bilinear', build: (t) => t.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }), inputs: [f(2, 3, 3, 2)] },
    ],
    zeroPadding2d: one((L) => L.zeroPadding2d({ padding: [[1, 0], [2, 1]] }), f(2, 3, 3, 2)),

    // Pooling
    maxPooling1d: one((L) => L.maxPooling1d({ poolSize: 2 }), f(2, 8, 3)),
    averagePooling1d: one((L) => L.averagePooling1d({ poolSize: 3, strides: 1, padding: 'same' }), f(2, 8, 3)),
    maxPooling2d: one((L) => L.maxPooling2d({ poolSize: 2 }), IMG),
    averagePooling2d: one((L) => L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), IMG),
    maxPooling3d: one((L) => L.maxPooling3d({ poolSize: 2 }), VOL),
    averagePooling3d: one((L) => L.averagePooling3d({ poolSize: 2 }), VOL),
    globalMaxPooling1d: one((L) => L.globalMaxPooling1d(), SEQ),
    globalAveragePooling1d: one((L) => L.globalAveragePooling1d(), SEQ),
    globalMaxPooling2d: one((L) => L.globalMaxPooling2d({}), IMG),
    globalAveragePooling2d: one((L) => L.globalAveragePooling2d({}), IMG),
    avgPool1d: { alias: 'averagePooling1d' },
    avgPooling1d: { alias: 'averagePooling1d' },
    avgPool2d: { alias: 'averagePooling2d' },
    avgPooling2d: { alias: 'averagePooling2d' },
    avgPool3d: { alias: 'averagePooling3d' },
    avgPooling3d: { alias: 'averagePooling3d' },
    maxPool1d: { alias: 'maxPooling1d' },
    maxPool2d: { alias: 'maxPooling2d' },
    globalMaxPool1d: { alias: 'globalMaxPooling1d' },
    globalMaxPool2d: { alias: 'globalMaxPooling2d' },

    // Normalization
    batchNormalization: one((L) => L.batchNormalization(), f(2, 4, 4, 3)),
    layerNormalization: one((L) => L.layerNormalization(), SEQ),

    // Merges
    add: one((L) => L.add(), f(2, 4), f(2, 4)),
    average: one((L) => L.average(), f(2, 4), f(2, 4)),
    maximum: one((L) => L.maximum(), f(2, 4), f(2, 4)),
    minimum: one((L) => L.minimum(), f(2, 4), f(2, 4)),
    multiply: one((L) => L.multiply(), f(2, 4), f(2, 4)),
    concatenate: one((L) => L.concatenate({ axis: -1 }), f(2, 3), f(2, 4)),
    dot: [
      { variant: 'axes 1', build: (t) => t.layers.dot({ axes: 1 }), inputs: [f(2, 4), f(2, 4)] },
      { variant: 'normalized, 3D', build: (t) => t.layers.dot({ axes: [2, 2], normalize: true }), inputs: [f(2, 3, 4), f(2, 5, 4)] },
    ],

    // Advanced activations
    elu: one((L) => L.elu(), f(2, 6)), // tfjs 4.22 rejects any alpha but 1
    leakyReLU: one((L) => L.leakyReLU({ alpha: 0.2 }), f(2, 6)),
    prelu: one((L) => L.prelu(), f(2, 6)),
    reLU: one((L) => L.reLU({ maxValue: 0.5 }), f(2, 6)),
    softmax: one((L) => L.softmax(), f(2, 6)),
    thresholdedReLU: [{
      build: (t) => t.layers.thresholdedReLU({ theta: 0.1 }), inputs: [f(2, 6)],
      untrainable: /gradient function not found for Greater/,
    }],

    // Noise and dropout: training mode, with Math.random seeded the same on both backends.
    dropout: one((L) => L.dropout({ rate: 0.5 }), f(2, 8)),
    spatialDropout1d: one((L) => L.spatialDropout1d({ rate: 0.5 }), SEQ),
    gaussianNoise: one((L) => L.gaussianNoise({ stddev: 0.5 }), f(2, 6)),
    gaussianDropout: one((L) => L.gaussianDropout({ rate: 0.3 }), f(2, 6)),
    alphaDropout: one((L) => L.alphaDropout({ rate: 0.3 }), f(2, 6)),

    // Recurrent
    simpleRNN: one((L) => L.simpleRNN({ units: 3, returnSequences: true }), SEQ),
    lstm: one((L) => L.lstm({ units: 3, returnSequences: true }), SEQ),
    gru: one((L) => L.gru({ units: 3, dropout: 0.2, recurrentDropout: 0.2 }), SEQ),
    simpleRNNCell: one((L) => L.rnn({ cell: L.simpleRNNCell({ units: 3 }) }), SEQ),
    lstmCell: one((L) => L.rnn({ cell: L.lstmCell({ units: 3 }), goBackwards: true }), SEQ),
    gruCell: one((L) => L.rnn({ cell: L.gruCell({ units: 3 }) }), SEQ),
    rnn: one((L) => L.rnn({ cell: [L.simpleRNNCell({ units: 4 }), L.lstmCell({ units: 3 })], returnState: true }), SEQ),
    stackedRNNCells: one((L) => L.rnn({ cell: L.stackedRNNCells({ cells: [L.gruCell({ units: 4 }), L.lstmCell({ units: 3 })] }) }), SEQ),
    convLstm2d: one((L) => L.convLstm2d({ filters: 2, kernelSize: 3, padding: 'same', returnSequences: true }), f(2, 3, 5, 5, 2)),
    // The cell on its own, one step: [x, h, c] -> [h, h, c].
    convLstm2dCell: one((L, t) => cellStep(t, L.convLstm2dCell({ filters: 2, kernelSize: 3, padding: 'same' })), f(2, 5, 5, 2), f(2, 5, 5, 2), f(2, 5, 5, 2)),

    // Wrappers
    bidirectional: one((L) => L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }) as TfNamespace.layers.RNN, mergeMode: 'concat' }), SEQ),
    timeDistributed: one((L) => L.timeDistributed({ layer: L.dense({ units: 3 }) }), SEQ),

    // Preprocessing
    rescaling: one((L) => L.rescaling({ scale: 1 / 255, offset: -0.5 }), IMG),
    resizing: [
      { variant: 'bilinear', build: (t) => t.layers.resizing({ height: 5, width: 7 }), inputs: [f(2, 4, 4, 3)] },
      { variant: 'nearest', build: (t) => t.layers.resizing({ height: 3, width: 8, interpolation: 'nearest' }), inputs: [f(1, 4, 4, 3)] },
    ],
    centerCrop: [{
      build: (t) => t.layers.centerCrop({ height: 2, width: 3 }), inputs: [f(2, 4, 5, 3)],
      untrainable: /gradient function not found for CropAndResize/,
    }],
    // Square images: tfjs-backend-cpu 4.22's ResizeBilinearGrad returns its gradient with height and width
    // swapped, which fails for any other (wasm's is right; test/unit/wasm-kernels.test.ts).
    randomWidth: one((L) => L.randomWidth({ factor: 0.5, seed: 7 }), f(2, 4, 4, 3)),
    categoryEncoding: [{
      build: (t) => t.layers.categoryEncoding({ numTokens: 6, outputMode: 'multiHot' }),
      inputs: [{ shape: [2, 3], dtype: 'int32', max: 6 }],
      forwardOnly: 'an integer input and no weights: the output has no gradient',
    }],
  };
}
