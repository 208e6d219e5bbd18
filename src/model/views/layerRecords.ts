// A layer's most recent record among the recorded gradient calls (its mode, output statistics, BatchNorm
// statistics and gradient norm in that call), as the panel, the CLI and the hover read it.
import type { GradientCallRecord, LayerCallRecord, RunReport } from '../../protocol/report.ts';

export type RecordFilter = (record: LayerCallRecord) => boolean;

const any: RecordFilter = () => true;

/** The layer's record in the last recorded call that has one passing `pick`, with that call. */
export function lastRecordOf(report: RunReport, layerId: number, pick: RecordFilter = any): { call: GradientCallRecord; record: LayerCallRecord } | null {
  for (let i = report.gradientCalls.length - 1; i >= 0; i--) {
    const call = report.gradientCalls[i];
    const record = call.layers.find((r) => r.layer === layerId && pick(r));
    if (record) return { call, record };
  }
  return null;
}

/** Every layer's last record passing `pick`, by layer id, in one pass over the calls. */
export function lastRecords(report: RunReport, pick: RecordFilter = any): Map<number, LayerCallRecord> {
  const last = new Map<number, LayerCallRecord>();
  for (const call of report.gradientCalls) for (const r of call.layers) if (pick(r)) last.set(r.layer, r);
  return last;
}

export const hasOutput: RecordFilter = (r) => r.output != null;
export const hasBatchNorm: RecordFilter = (r) => r.batchNorm != null;
export const hasGradNorm: RecordFilter = (r) => r.gradNorm != null;
