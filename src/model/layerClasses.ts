// What tfjs-layers' built-in layer classes do with kwargs.training.

/** Forward pass differs between training and inference (they read kwargs.training). */
export const MODE_DEPENDENT_CLASSES = new Set([
  'BatchNormalization', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
]);

/** Mode-dependent classes whose training mode only drops units or adds noise: a gap they make is by design. */
export const NOISE_CLASSES = new Set(['Dropout', 'SpatialDropout1D', 'GaussianDropout', 'AlphaDropout', 'GaussianNoise']);

/** Classes that ignore kwargs.training entirely. Anything else (recurrent layers with dropout, custom
 *  layers) may depend on the mode and is attributed. */
export const MODE_INDEPENDENT_CLASSES = new Set([
  'InputLayer', 'Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv2D',
  'DepthwiseConv2D', 'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'Flatten',
  'Reshape', 'Permute', 'RepeatVector', 'Embedding', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D',
  'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'UpSampling2D', 'ZeroPadding2D', 'Cropping2D', 'Add', 'Concatenate',
  'Multiply', 'Average', 'Maximum', 'Minimum', 'Dot', 'LayerNormalization', 'Masking', 'Rescaling', 'Resizing',
  'CenterCrop',
]);

export function mayDependOnMode(className: string): boolean {
  return !MODE_INDEPENDENT_CLASSES.has(className);
}

const SHORT_CLASS: Record<string, string> = { BatchNormalization: 'BatchNorm', LayerNormalization: 'LayerNorm' };

/** A class name short enough for a table column or a CodeLens. */
export function shortClass(className: string): string {
  return SHORT_CLASS[className] ?? className;
}
