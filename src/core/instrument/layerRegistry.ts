// Gives every layer a stable id and the place in the user's source where it was built.
//
// The construction site is caught without wrapping any factory: tfjs-layers' Layer constructor assigns
// `this._callHook = null` first thing (tfjs-layers/src/engine/topology.ts, compiled without
// define-semantics class fields), so an accessor on Layer.prototype sees every layer being built, whichever
// factory, class or deserializer built it. The accessor then turns itself into a plain own property.
import type { LayerInfo, SourceLocation } from '../../protocol.ts';
import { captureUserFrame, type InternalPathTest } from './callSites.ts';
import type { Layer } from './tfjsModules.ts';

const HOOKED_FIELD = '_callHook';

export class LayerRegistry {
  private readonly sites = new WeakMap<Layer, SourceLocation | null>();
  private readonly infos = new WeakMap<Layer, LayerInfo>();
  private readonly all: LayerInfo[] = [];
  private readonly objects: Layer[] = [];
  private readonly dirty = new Set<LayerInfo>();
  private restore: (() => void) | null = null;

  constructor(
    private readonly layersModule: any,
    private readonly isInternal: InternalPathTest,
    private readonly fallbackSource: (layerName: string) => SourceLocation | null = () => null,
  ) {}

  /** Installs the construction hook on the Layer base class. */
  hookConstruction(layerClass: any): void {
    const proto = layerClass.prototype;
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

  countOutsideCall(info: LayerInfo, training: boolean): void {
    info.outsideCalls[training ? 'training' : 'inference']++;
    this.dirty.add(info);
  }

  /** Layers that are new or changed since the last call, for a `layers` event. */
  takeChanged(): LayerInfo[] {
    for (let i = 0; i < this.all.length; i++) {
      const trainable = isTrainable(this.objects[i]);
      if (this.all[i].trainable !== trainable) {
        this.all[i].trainable = trainable;
        this.dirty.add(this.all[i]);
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
  return weights.length === 0 || weights.some((w: any) => w.trainable);
}

export function layerClassName(layer: Layer): string {
  try {
    return String(layer.getClassName?.() ?? layer.constructor?.className ?? layer.constructor?.name ?? 'Layer');
  } catch {
    return 'Layer';
  }
}
