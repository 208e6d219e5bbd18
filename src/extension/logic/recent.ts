// Targets the user debugged lately (scripts, models, pages), newest first, kept in workspace state: pickers list
// them on top. Pure: the storage is passed in.
import type { StateStorage } from './runStore.ts';

const KEY = 'tfjsDebugger.recentTargets';
const MAX = 20;

export function recentTargets(storage: StateStorage): string[] {
  const v = storage.get(KEY);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export async function rememberTarget(storage: StateStorage, target: string): Promise<void> {
  await storage.update(KEY, [target, ...recentTargets(storage).filter((t) => t !== target)].slice(0, MAX));
}

/** `items` (by their target) with the recent ones first, newest first; the rest in their order. */
export function recentFirst<T>(items: readonly T[], targetOf: (item: T) => string, recent: readonly string[]): T[] {
  const rank = (item: T) => {
    const i = recent.indexOf(targetOf(item));
    return i < 0 ? recent.length : i;
  };
  return items.map((item, i) => ({ item, i, r: rank(item) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.item);
}
