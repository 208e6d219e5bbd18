// API labels: thin wrappers on tfjs's public gradient entry points (grad, grads, valueAndGrad(s), variableGrads,
// Optimizer.minimize and computeGradients, a model's fit, fitDataset and trainOnBatch), so that each gradient
// call is named by the API the user called and located at the user's line.
import type { GradientApi, SourceLocation } from '../../protocol/report.ts';
import type { Layer, TfjsLayers } from '../tfjs.ts';
import type { ContainerStack } from './layerTap.ts';
import { userSite, type TapContext } from './tapContext.ts';

interface ApiFrame {
  api: GradientApi;
  source: SourceLocation | null;
  /** The model whose fit, fitDataset or trainOnBatch runs. */
  model?: number;
}

export class ApiLabels {
  private readonly stack: ApiFrame[] = [];
  /** fit, fitDataset and trainOnBatch are async: their label lives on the model while they run. */
  private readonly modelLabels = new WeakMap<object, ApiFrame>();

  constructor(private readonly ctx: TapContext, private readonly containers: ContainerStack) {}

  /** The label of the gradient call starting now: the outermost API on the stack, else a bare ENGINE.gradients. */
  outermost(): ApiFrame {
    return this.stack[0] ?? { api: 'gradients', source: userSite(this.ctx) };
  }

  /** Runs fn under an API label. The user's call site is looked up only for the outermost label. */
  private withApi<T>(api: GradientApi, fn: () => T, extra?: Partial<ApiFrame>): T {
    const frame: ApiFrame = { api, source: null, ...extra };
    if (this.stack.length === 0 && !extra?.source) frame.source = userSite(this.ctx);
    this.stack.push(frame);
    try {
      return fn();
    } finally {
      this.stack.pop();
    }
  }

  install(): void {
    const { core, layers, patcher } = this.ctx;
    const readOnly: string[] = [];
    for (const name of ['grad', 'grads', 'valueAndGrad', 'valueAndGrads'] as const) {
      if (!patcher.patch(core, name, (original) => (f: unknown) => {
        const g = original(f);
        return (...args: unknown[]) => this.withApi(name, () => g(...args));
      }, null)) readOnly.push(name);
    }
    if (!patcher.patch(core, 'variableGrads', (original) => (...args: unknown[]) => this.withApi('variableGrads', () => original(...args)), null)) readOnly.push('variableGrads');
    // Read-only in an ES-module build (a page's bundler): the calls are still recorded and located (the engine's
    // gradient entry point is tapped), under another name.
    if (readOnly.length && typeof core.grad === 'function') {
      this.ctx.emit({ type: 'log', level: 'info', message: `tf.${readOnly.join(', tf.')} cannot be wrapped in this tfjs build (an ES module namespace): their gradient calls are recorded, named "gradients" or by the optimizer or model method that made them.` });
    }
    const withApi = this.withApi.bind(this);
    for (const [method, api] of [['minimize', 'optimizer.minimize'], ['computeGradients', 'optimizer.computeGradients']] as const) {
      patcher.patch(core.Optimizer?.prototype, method, (original) => function (this: unknown, ...args: unknown[]) {
        return withApi(api, () => original.apply(this, args));
      });
    }
    if (layers) this.installModelLabels(layers);
  }

  /** fit, fitDataset and trainOnBatch label the model while they run; the synchronous train function they call
   *  picks the label up (tfjs-layers/src/engine/training.ts, makeTrainFunction). */
  private installModelLabels(layers: TfjsLayers): void {
    const { patcher, registry } = this.ctx;
    const { modelLabels, containers } = this;
    const withApi = this.withApi.bind(this);
    const site = () => userSite(this.ctx);
    for (const cls of [layers.LayersModel, layers.Sequential]) {
      for (const api of ['fit', 'fitDataset', 'trainOnBatch'] as const) {
        patcher.patch(cls?.prototype, api, (original) => function (this: Layer, ...args: unknown[]) {
          const label: ApiFrame = { api, source: site() };
          const models = [this, this.model].filter((m): m is Layer => m != null && !modelLabels.has(m));
          for (const m of models) modelLabels.set(m, label);
          const clear = () => { for (const m of models) modelLabels.delete(m); };
          try {
            const result = original.apply(this, args);
            if (result && typeof result.then === 'function') return result.finally(clear);
            clear();
            return result;
          } catch (e) {
            clear();
            throw e;
          }
        });
      }
    }
    patcher.patch(layers.LayersModel?.prototype, 'makeTrainFunction', (original) => function (this: Layer) {
      const trainFunction = original.call(this);
      return (data: unknown[]) => {
        const label = modelLabels.get(this) ?? { api: 'fit' as const, source: null };
        // The model trained is a container of every layer the train function calls.
        const info = registry.info(this);
        return containers.run(this, info, () => withApi(label.api, () => trainFunction(data), { source: label.source, model: info.id }));
      };
    });
  }
}
