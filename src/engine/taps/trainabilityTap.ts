// Where the script sets `trainable` (on a layer or a model), and what each compile collects to train: the
// trainability rules (src/model/diagnose) read these from the layers' info.
import { directCaller } from '../callSites.ts';
import { layerBaseClass, type Layer, type TfjsObject } from '../tfjs.ts';
import type { TapContext } from './tapContext.ts';

/** The prototypes that define `trainable` as an accessor, each once. */
function trainableOwners(ctx: TapContext): TfjsObject[] {
  const owners: TfjsObject[] = [];
  for (const cls of [ctx.layers ? layerBaseClass(ctx.layers) : null, ctx.layers?.LayersModel, ctx.layers?.Sequential]) {
    let proto = cls?.prototype;
    while (proto && !Object.prototype.hasOwnProperty.call(proto, 'trainable')) proto = Object.getPrototypeOf(proto);
    if (proto && Object.getOwnPropertyDescriptor(proto, 'trainable')?.set && !owners.includes(proto)) owners.push(proto);
  }
  return owners;
}

export function installTrainabilityTap(ctx: TapContext): void {
  for (const owner of trainableOwners(ctx)) {
    const d = Object.getOwnPropertyDescriptor(owner, 'trainable') as PropertyDescriptor;
    const setter = function (this: Layer, value: boolean) {
      const before = this.trainable_;
      d.set?.call(this, value);
      if (ctx.prober.active || before === undefined || Boolean(before) === Boolean(value)) return;
      // Only the script's own assignments: tfjs sets trainable itself too (InputLayer's constructor,
      // Sequential.build, the wrappers), and those are not the user's doing.
      const caller = directCaller(setter);
      if (caller && !ctx.isInternal(caller.file)) ctx.registry.noteTrainable(this, { value: Boolean(value), source: caller, afterCall: ctx.call.count });
    };
    Object.defineProperty(owner, 'trainable', { ...d, set: setter });
    ctx.patcher.onRestore(() => Object.defineProperty(owner, 'trainable', d));
  }
  ctx.patcher.patch(ctx.layers?.LayersModel?.prototype, 'compile', (original) => function (this: Layer, ...args: unknown[]) {
    const result = original.apply(this, args);
    ctx.registry.noteCompiled(this);
    return result;
  });
}
