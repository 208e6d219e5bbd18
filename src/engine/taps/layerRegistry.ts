// Gives every layer a stable id and the place in the user's source where it was built.
//
// The construction site is caught without wrapping any factory: tfjs-layers' Layer constructor assigns
// `this._callHook = null` first thing (tfjs-layers/src/engine/topology.ts, compiled without
// define-semantics class fields), so an accessor on Layer.prototype sees every layer being built, whichever
// factory, class or deserializer built it. The accessor then turns itself into a plain own property.
import type { LayerInfo, SourceLocation, TrainableChange } from '../../protocol/report.ts';
import { captureUserFrame, type InternalPathTest } from '../callSites.ts';
import type { Layer, LayerClass, LayerVariable, TfjsLayers, TfjsObject } from '../tfjs.ts';

const HOOKED_FIELD = '_callHook';
/** Changes of `trainable` kept per layer. */
const TRAINABLE_CHANGES_KEPT = 8;

export class LayerRegistry {
  private readonly sites = new WeakMap<Layer, SourceLocation | null>();
  private readonly infos = new WeakMap<Layer, LayerInfo>();
  private readonly all: LayerInfo[] = [];
  private readonly objects: Layer[] = [];
  private readonly dirty = new Set<LayerInfo>();
  /** Changes of `trainable` on layers not registered yet (they get an id when they first run). */
  private readonly pendingChanges = new WeakMap<Layer, TrainableChange[]>();
  private restore: (() => void) | null = null;

  constructor(
    private readonly layersModule: TfjsLayers | null,
    private readonly isInternal: InternalPathTest,
    private readonly fallbackSource: (layerName: string) => SourceLocation | null = () => null,
  ) {}

  /** Installs the construction hook on the Layer base class. */
  hookConstruction(layerClass: LayerClass): void {
    const proto = layerClass.prototype as TfjsObject;
    const previous = Object.getOwnPropertyDescriptor(proto, HOOKED_FIELD);
    const sites = this.sites;
    const isInternal = this.isInternal;
    Object.defineProperty(proto, HOOKED_FIELD, {
      configurable: true,
      get() {
        return undefined;
      },
      set(value: unknown) {
        if (!sites.has(this)) sites.set(this, captureUserFrame(isInternal));
        Object.defineProperty(this, HOOKED_FIELD, { value, writable: true, configurable: true, enumerable: true });
      },
    });
    this.restore = () => {
      if (previous) Object.defineProperty(proto, HOOKED_FIELD, previous);
      else delete proto[HOOKED_FIELD];
    };
  }

  unhook(): void {
    this.restore?.();
    this.restore = null;
  }

  isContainer(layer: Layer): boolean {
    return this.layersModule != null && layer instanceof this.layersModule.LayersModel;
  }

  /** The layer's info, registering it on first sight. */
  info(layer: Layer): LayerInfo {
    let info = this.infos.get(layer);
    if (!info) {
      info = {
        id: this.all.length + 1,
        name: String(layer.name),
        className: layerClassName(layer),
        trainable: isTrainable(layer),
        source: this.sites.get(layer) ?? this.fallbackSource(String(layer.name)),
        parents: [],
        isContainer: this.isContainer(layer),
        outsideCalls: { training: 0, inference: 0 },
      };
      if (!info.isContainer) info.weightCount = ownWeights(layer).length;
      const changes = this.pendingChanges.get(layer);
      if (changes) info.trainableChanges = changes;
      this.infos.set(layer, info);
      this.all.push(info);
      this.objects.push(layer);
      this.dirty.add(info);
    }
    return info;
  }

  addParent(info: LayerInfo, parent: LayerInfo): void {
    if (!info.parents.includes(parent.id)) {
      info.parents.push(parent.id);
      this.dirty.add(info);
    }
  }

  /** The script set `trainable` on a layer or model. A model is registered then, with its layers as its
   *  children: a tf.sequential added to another one never runs as a layer (the outer model runs its layers), yet
   *  its freezing is what the trainability rules explain. */
  noteTrainable(layer: Layer, change: TrainableChange): void {
    if (!this.infos.has(layer) && this.isContainer(layer)) {
      const model = this.info(layer);
      for (const leaf of leafLayers(layer)) this.addParent(this.info(leaf), model);
    }
    const info = this.infos.get(layer);
    const changes = [...((info ? info.trainableChanges : this.pendingChanges.get(layer)) ?? []), change].slice(-TRAINABLE_CHANGES_KEPT);
    if (!info) {
      this.pendingChanges.set(layer, changes);
      return;
    }
    info.trainableChanges = changes;
    this.dirty.add(info);
  }

  /** A model was compiled: the layers whose weights it collected to train (tfjs-layers/src/engine/training.ts,
   *  compile: collectedTrainableWeights) are marked, and the others unmarked for it. */
  noteCompiled(model: Layer): void {
    const collected = new Set<unknown>(model.collectedTrainableWeights ?? []);
    for (const layer of leafLayers(model)) {
      // The latest compile decides: a re-compile after freezing a layer takes it out of that model's training.
      const models = (this.compiledBy.get(layer) ?? []).filter((m) => m !== model);
      this.compiledBy.set(layer, ownWeights(layer).some((w) => collected.has(w)) ? [...models, model] : models);
    }
  }

  /** The models whose compile collected a layer's weights, by layer. */
  private readonly compiledBy = new WeakMap<Layer, Layer[]>();

  countOutsideCall(info: LayerInfo, training: boolean): void {
    info.outsideCalls[training ? 'training' : 'inference']++;
    this.dirty.add(info);
  }

  /** Layers that are new or changed since the last call, for a `layers` event. */
  takeChanged(): LayerInfo[] {
    for (let i = 0; i < this.all.length; i++) {
      const info = this.all[i];
      const trainable = isTrainable(this.objects[i]);
      if (info.trainable !== trainable) {
        info.trainable = trainable;
        this.dirty.add(info);
      }
      const models = this.compiledBy.get(this.objects[i]);
      if (models) {
        const ids = models.map((m) => this.infos.get(m)?.id).filter((id): id is number => id != null);
        if (ids.join() !== (info.compiledBy ?? []).join()) {
          info.compiledBy = ids;
          this.dirty.add(info);
        }
      }
    }
    const changed = [...this.dirty].map((l) => ({ ...l, parents: [...l.parents], outsideCalls: { ...l.outsideCalls } }));
    this.dirty.clear();
    return changed;
  }
}

/** Whether the layer's weights train. Setting trainable = false on a model freezes its layers' weights but
 *  leaves each layer's own flag alone (tfjs-layers/src/engine/container.ts, set trainable), so both count. */
export function isTrainable(layer: Layer): boolean {
  if (!layer.trainable) return false;
  const weights = layer.weights ?? [];
  return weights.length === 0 || weights.some((w) => w.trainable);
}

/** The layer's own weights that can train (LayerVariables), whatever their flags say now. */
export function ownWeights(layer: Layer): LayerVariable[] {
  return Array.isArray(layer._trainableWeights) ? layer._trainableWeights : [];
}

/** Every non-container layer inside a model, however deeply nested. */
export function leafLayers(model: Layer): Layer[] {
  const out: Layer[] = [];
  const visit = (l: Layer) => {
    if (Array.isArray(l.layers)) l.layers.forEach(visit);
    else out.push(l);
  };
  visit(model);
  return out;
}

export function layerClassName(layer: Layer): string {
  try {
    const cls = layer.constructor as { className?: string; name?: string } | undefined;
    return String(layer.getClassName?.() ?? cls?.className ?? cls?.name ?? 'Layer');
  } catch {
    return 'Layer';
  }
}
