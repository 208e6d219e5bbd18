// Opt-in timing hook for bench/webview.ts (issue 6, part e). The bench page defines window.__tfdPerf before it
// posts anything; a real panel never does, so this is one property read and nothing is recorded or kept.
export type PerfPoint = 'publish' | 'chart-draw';

export function perfMark(point: PerfPoint): void {
  const hook = (globalThis as { __tfdPerf?: (point: PerfPoint) => void }).__tfdPerf;
  if (hook) hook(point);
}
