// Finished runs' reports as files in a folder (the workspace's storage folder, context.storageUri): one JSON
// file per run, written whole (to a temporary name, then renamed), read back and checked when a view asks.
// Run ids are checked before they name a file. Pure: no vscode import.
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { isRunReport, type RunReport } from '../../protocol/report.ts';
import type { RunArchive } from './runStore.ts';

const SAFE_ID = /^[\w.-]{1,100}$/;

export class FileArchive implements RunArchive {
  constructor(private readonly folder: string) {}

  private file(id: string): string {
    if (!SAFE_ID.test(id) || id.startsWith('.')) throw new Error(`not a run id: ${id.slice(0, 40)}`);
    return path.join(this.folder, `${id}.json`);
  }

  load(id: string): RunReport | null {
    try {
      const report: unknown = JSON.parse(readFileSync(this.file(id), 'utf8'));
      return isRunReport(report) ? report : null;
    } catch {
      return null;
    }
  }

  async save(id: string, report: RunReport): Promise<number> {
    const file = this.file(id);
    const text = JSON.stringify(report);
    await mkdir(this.folder, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, file);
    return text.length;
  }

  async remove(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }
}
