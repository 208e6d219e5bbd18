/**
 * Convolution gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks, composed from
 * kernels it has (XNNPACK Conv2D / DepthwiseConv2dNative plus Transpose, Reshape, Reverse,
 * PadV2, Slice, Sum). Without them `tf.grad` of any conv layer fails on 'wasm'.
 *
 * Notation (NHWC): the forward conv reads x row  ih = oh*s + kh*d - top  for output row oh,
 * filter row kh, stride s, dilation d, and `top` = computeConv2DInfo(...).padInfo.top
 * (tfjs-core/dist/ops/conv_util.js); columns likewise.
 *
 * - Filter gradients, dW[kh,kw,..] = sum_{b,oh,ow} x[b, oh*s + kh*d - top, ..] * dy[b,oh,ow,..],
 *   are themselves convolutions with the roles swapped: dy is the filter (OH x OW taps, dilated
 *   by the forward stride s, stepped by the forward dilation d) and the batch axis is the one
 *   summed over. Conv2DBackpropFilter: conv2d(x^T [Ci,H,W,B], dy^T [OH,OW,B,Co]) -> [Ci,KH,KW,Co].
 *   DepthwiseConv2dNativeBackpropFilter: depthwise over the B*C channels, then Sum over B.
 *   Loop forms they must match: tfjs-backend-cpu/dist/kernels/Conv2DBackpropFilter.js and
 *   DepthwiseConv2dNativeBackpropFilter.js.
 * - Input gradients are transposed convolutions: insert s-1 zeros between dy rows/cols, then a
 *   stride-1 conv with the spatially flipped filter (in/out channels swapped for Conv2D;
 *   per channel plus a Sum over the multiplier for depthwise). Conv2DBackpropInput switches to a
 *   GEMM and col2im where that would mostly multiply zeros (see conv2DBackpropInput).
 *
 * wasm's own Conv2DBackpropInput exists but is a scalar loop (~8x slower than the composed
 * version for stride 1 on a 32x32x32->64 3x3 layer); it is only replaced on request.
 * Intermediates are disposed before returning (composedKernel.ts).
 */
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  KernelFunc,
  TensorInfo,
  backend_util,
} from '@tensorflow/tfjs-core';
import { composed, type Run } from './composedKernel.ts';
import { addWasmKernel, replaceWasmKernel } from './kernelRegistration.ts';
import { asWasm } from './wasmHeap.ts';

type Tf = typeof import('@tensorflow/tfjs-core');
type ConvInfo = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

export interface WasmGradientKernelOptions {
  /** Also replace wasm's existing (slow) Conv2DBackpropInput with the composed one. */
  fastConv2DBackpropInput?: boolean;
}

/** Crops negative pads off axes 1 and 2 (Slice); returns the rest as explicit conv padding. */
function padSpatial(run: Run, t: TensorInfo, top: number, bottom: number, left: number, right: number): [TensorInfo, Padding4] {
  const [n, h, w, c] = t.shape;
  const [ct, cb, cl, cr] = [top, bottom, left, right].map((p) => Math.max(0, -p));
  if (ct + cb + cl + cr > 0) t = run('Slice', { x: t }, { begin: [0, ct, cl, 0], size: [n, h - ct - cb, w - cl - cr, c] });
  const pad: Padding4 = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
  return [t, pad];
}

/**
 * Filter gradient: conv of `xT` (spatial axes 1, 2, padded to exactly the rows the forward conv
 * read: (OH-1)*s + (KH-1)*d + 1 from row -top) with `filter` built from dy. Forward stride
 * becomes dilation and forward dilation becomes stride, so the output is KH x KW.
 */
function filterGrad(run: Run, kernel: 'Conv2D' | 'DepthwiseConv2dNative', xT: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const { padInfo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const rows = (info.outHeight - 1) * sh + (info.filterHeight - 1) * dh + 1;
  const cols = (info.outWidth - 1) * sw + (info.filterWidth - 1) * dw + 1;
  const [x, pad] = padSpatial(run, xT, padInfo.top, rows - padInfo.top - info.inHeight, padInfo.left, cols - padInfo.left - info.inWidth);
  return run(kernel, { x, filter }, { strides: [dh, dw], dilations: [sh, sw], pad, dataFormat: 'NHWC' });
}

/**
 * Input gradient (transposed conv) of NHWC dy with an already flipped filter: zero-insert dy by
 * the stride, then a stride-1 conv with dilation d whose padding makes the output inH x inW:
 * dx row ih needs dy' rows ih + top - (KH-1)*d .. ih + top (cf. the loop in
 * tfjs-backend-cpu/dist/kernels/DepthwiseConv2dNativeBackpropInput.js).
 */
function inputGrad(run: Run, kernel: 'Conv2D' | 'DepthwiseConv2dNative', dy: TensorInfo, flipped: TensorInfo, info: ConvInfo): TensorInfo {
  const { padInfo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  if (sh > 1 || sw > 1) {
    const [b, h, w, c] = dy.shape; // [b*h, 1, w, 1, c] -> pad -> [b, h*sh, w*sw, c]: rank 5 keeps PadV2 simple
    const padded = run('PadV2', { x: run('Reshape', { x: dy }, { shape: [b * h, 1, w, 1, c] }) },
      { paddings: [[0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    dy = run('Reshape', { x: padded }, { shape: [b, h * sh, w * sw, c] });
  }
  const kh = (info.filterHeight - 1) * dh;
  const kw = (info.filterWidth - 1) * dw;
  const [x, pad] = padSpatial(run, dy, kh - padInfo.top, info.inHeight + padInfo.top - dy.shape[1],
    kw - padInfo.left, info.inWidth + padInfo.left - dy.shape[2]);
  return run(kernel, { x, filter: flipped }, { strides: 1, dilations: [dh, dw], pad, dataFormat: 'NHWC' });
}

function conv2DBackpropFilter(tf: Tf): KernelFunc {
  return composed(tf, (run, { x, dy }, attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode,
      false, tf.backend_util.convertConv2DDataFormat(dataFormat));
    const nchw = info.dataFormat === 'channelsFirst';
    const xT = run('Transpose', { x }, { perm: nchw ? [1, 2, 3, 0] : [3, 1, 2, 0] }); // [Ci, H, W, B]
    const dyT = run('Transpose', { x: dy }, { perm: nchw ? [2, 3, 0, 1] : [1, 2, 0, 3] }); // [OH, OW, B, Co]
    const dW = filterGrad(run, 'Conv2D', xT, dyT, info); // [Ci, KH, KW, Co]
    return run('Transpose', { x: dW }, { perm: [1, 2, 0, 3] });
  });
}

function depthwiseBackpropFilter(tf: Tf): KernelFunc {
  return composed(tf, (run, { x, dy }, attrs) => {
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
    const [b, h, w, c] = x.shape;
    const [kh, kw, , m] = filterShape;
    // Each (batch, channel) pair becomes one depthwise channel; dy supplies its m filters.
    const xT = run('Reshape', { x: run('Transpose', { x }, { perm: [1, 2, 0, 3] }) }, { shape: [1, h, w, b * c] });
    const dyT = run('Reshape', { x: run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }) },
      { shape: [info.outHeight, info.outWidth, b * c, m] });
    const perPair = filterGrad(run, 'DepthwiseConv2dNative', xT, dyT, info); // [1, KH, KW, b*c*m]
    const summed = run('Sum', { x: run('Reshape', { x: perPair }, { shape: [kh * kw, b, c * m] }) }, { axis: 1, keepDims: false });
    return run('Reshape', { x: summed }, { shape: filterShape });
  });
}

function depthwiseBackpropInput(tf: Tf): KernelFunc {
  return composed(tf, (run, { dy, filter }, attrs) => {
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    const [kh, kw, c, m] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations ?? 1, pad, dimRoundingMode, true);
    const flipped = run('Reshape', { x: run('Reverse', { x: filter }, { dims: [0, 1] }) }, { shape: [kh, kw, c * m, 1] });
    const dx = inputGrad(run, 'DepthwiseConv2dNative', dy, flipped, info); // [B, H, W, c*m]
    if (m === 1) return dx;
    const [b, h, w] = inputShape;
    return run('Sum', { x: run('Reshape', { x: dx }, { shape: [b, h, w, c, m] }) }, { axis: 4, keepDims: false });
  });
}

/**
 * dx[n, ih, iw, :] += cols[n, oh, ow, kh, kw, :] for ih = oh*sh + kh - top, iw = ow*sw + kw - left: the
 * scatter half of a transposed convolution, in JavaScript on the wasm heap (a kernel for run()).
 */
const col2im: KernelFunc = ({ inputs, attrs, backend }) => {
  const info = (attrs as unknown as { info: ConvInfo }).info;
  const wasm = asWasm(backend);
  const out = wasm.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  const cols = wasm.typedArrayFromHeap(inputs.cols as TensorInfo) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  let at = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh - top;
          for (let kw = 0; kw < KW; kw++, at += C) {
            const iw = ow * sw + kw - left;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const base = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) dx[base + c] += cols[at + c];
          }
        }
      }
    }
  }
  return out;
};

/**
 * Conv2DBackpropInput (the input gradient of conv2d, and the forward pass of conv2dTranspose). Two ways:
 * - as a stride-1 convolution of the zero-inserted, padded dy (inputGrad above): XNNPACK's convolution,
 *   best when dx is about as large as dy (stride 1, 'same' padding);
 * - as one GEMM, cols = dy · Wᵀ ([N·OH·OW, Co] · [Co, KH·KW·Ci]), then col2im: exactly the products the
 *   gradient needs. The first computes IH·IW / (OH·OW) times as many (the inserted and padding zeros),
 *   4x for stride 2 and 5x for a 5x5 kernel over a 3x3 dy, so from a factor of 2 the GEMM is used.
 */
function conv2DBackpropInput(tf: Tf): KernelFunc {
  return composed(tf, (run, { dy, filter }, attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode,
      false, tf.backend_util.convertConv2DDataFormat(dataFormat));
    const nchw = info.dataFormat === 'channelsFirst';
    const dyN = nchw ? run('Transpose', { x: dy }, { perm: [0, 2, 3, 1] }) : dy;
    let dx: TensorInfo;
    if ((info.inHeight * info.inWidth) / (info.outHeight * info.outWidth) >= 2) {
      const [kh, kw, ci, co] = filter.shape;
      const wT = run('Reshape', { x: run('Transpose', { x: filter }, { perm: [3, 0, 1, 2] }) }, { shape: [co, kh * kw * ci] });
      const rows = info.batchSize * info.outHeight * info.outWidth;
      const cols = run('BatchMatMul', { a: run('Reshape', { x: dyN }, { shape: [rows, co] }), b: wT }, { transposeA: false, transposeB: false });
      dx = run(col2im, { cols }, { info });
    } else {
      const flipped = run('Transpose', { x: run('Reverse', { x: filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] }); // [KH, KW, Co, Ci]
      dx = inputGrad(run, 'Conv2D', dyN, flipped, info);
    }
    return nchw ? run('Transpose', { x: dx }, { perm: [0, 3, 1, 2] }) : dx;
  });
}

/**
 * Registers the composed gradient kernels that the 'wasm' backend of `tf` is missing and returns
 * their names. Kernels already registered are kept (idempotent), except that
 * `fastConv2DBackpropInput` swaps wasm's slow Conv2DBackpropInput for the composed one.
 * Pass the tfjs instance the model uses, after '@tensorflow/tfjs-backend-wasm' has been loaded into it.
 */
export function registerWasmGradientKernels(tf: Tf, options: WasmGradientKernelOptions = {}): string[] {
  if (tf.getKernel('Conv2D', 'wasm') == null) {
    throw new Error("registerWasmGradientKernels: no 'wasm' kernels registered on this tfjs instance; " +
      "load '@tensorflow/tfjs-backend-wasm' into it first");
  }
  const registered: string[] = [];
  const missing: Array<[string, (tf: Tf) => KernelFunc]> = [
    ['Conv2DBackpropFilter', conv2DBackpropFilter],
    ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
    ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
    ['Conv2DBackpropInput', conv2DBackpropInput],
  ];
  for (const [name, make] of missing) {
    if (addWasmKernel(tf, name, make(tf))) registered.push(name);
  }
  if (options.fastConv2DBackpropInput && replaceWasmKernel(tf, 'Conv2DBackpropInput', () => conv2DBackpropInput(tf))) {
    registered.push('Conv2DBackpropInput');
  }
  return registered;
}
