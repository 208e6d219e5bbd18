// Installs the taps on a tfjs instance and streams what they see as RunnerEvents:
// - layer tap (taps/layerTap.ts): each layer call's mode, statistics and place in the models it runs in;
// - trainability tap (taps/trainabilityTap.ts): where the script sets `trainable`, what each compile trains;
// - API labels (taps/apiLabels.ts): which public API made each gradient call, at which line of the user's code;
// - optimizer step tap (taps/optimizerTap.ts): the loss after the weight update;
// - gradient tap (taps/gradientTap.ts): every gradient call, recorded, and probed by replay (probes/);
// - leak watch (taps/leakWatch.ts): where tensors that keep live tensors growing are created.
import { defaultIsInternal } from './callSites.ts';
import { Patcher } from './patcher.ts';
import { ProbeSchedule } from './probes/probeSchedule.ts';
import { Prober } from './probes/probes.ts';
import { ApiLabels } from './taps/apiLabels.ts';
import { GradientTap } from './taps/gradientTap.ts';
import { LayerRegistry } from './taps/layerRegistry.ts';
import { MomentsTap } from './taps/layerStats.ts';
import { ContainerStack, installLayerTap } from './taps/layerTap.ts';
import { LeakWatch } from './taps/leakWatch.ts';
import { AfterStep } from './taps/optimizerTap.ts';
import { emitChangedLayers, type InstrumentOptions, type TapContext } from './taps/tapContext.ts';
import { installTrainabilityTap } from './taps/trainabilityTap.ts';
import { type TfjsModules, engineOf } from './tfjs.ts';

export interface Instrumentation {
  readonly gradientCallCount: number;
  /** Emits whatever is still pending (a probed call waiting for an optimizer step, changed layers). */
  flush(): void;
  /** Resolves when every gradient call's record has gone out (on the deferred read strategy, some arrive after
   *  their call). */
  settled(): Promise<void>;
  /** Removes every tap. */
  uninstall(): void;
}

export function instrument(mods: TfjsModules, options: InstrumentOptions): Instrumentation {
  const isInternal = options.isInternal ?? defaultIsInternal;
  const now = options.now ?? (() => performance.now());
  const patcher = new Patcher((message) => options.emit({ type: 'log', level: 'warn', message }));
  const ctx: TapContext = {
    ...mods, engine: engineOf(mods.core), options, emit: options.emit, isInternal, now, patcher,
    registry: new LayerRegistry(mods.layers, isInternal, options.layerSource),
    prober: new Prober(mods.core),
    moments: new MomentsTap(),
    schedule: options.schedule ?? new ProbeSchedule(options, now),
    call: { recorder: null, recording: null, count: 0 },
  };
  const leakWatch = new LeakWatch(mods.core, isInternal, options.emit);
  patcher.onRestore(() => leakWatch.uninstall());
  const containers = new ContainerStack();
  const afterStep = new AfterStep(ctx);
  const labels = new ApiLabels(ctx, containers);
  installLayerTap(ctx, containers);
  installTrainabilityTap(ctx);
  labels.install();
  afterStep.install();
  const gradients = new GradientTap(ctx, labels, afterStep, leakWatch);
  gradients.install();

  return {
    get gradientCallCount() {
      return ctx.call.count;
    },
    flush() {
      afterStep.complete();
      emitChangedLayers(ctx);
    },
    settled() {
      return gradients.settled();
    },
    uninstall() {
      patcher.restoreAll();
    },
  };
}
