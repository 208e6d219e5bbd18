// tfjsDebugger.exportReport: writes the shown run's report as JSON or as the offline HTML page, where the user
// says in the save dialog. A format may be passed (the panel's buttons); a path may not.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { basename } from '../../model/format.ts';
import { writeHtmlReport, type PanelAssets } from '../../shell/html.ts';
import { parseExportArgs, type ExportFormat } from '../logic/messages.ts';
import type { Command } from './deps.ts';

/** The panel's bundle, inlined into the HTML report so it renders the same views offline. */
async function panelAssets(extensionUri: vscode.Uri): Promise<PanelAssets> {
  const read = async (name: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', name)));
  return { js: await read('webview.js'), css: await read('webview.css') };
}

async function pickFormat(): Promise<ExportFormat | undefined> {
  const pick = await vscode.window.showQuickPick([
    { label: 'JSON', description: 'the report, schema version 1 (same as tfjs-debug --json)', format: 'json' as const },
    { label: 'HTML', description: 'a self-contained page with the panel\'s views', format: 'html' as const },
  ], { title: 'Export TF.js Debugger Report' });
  return pick?.format;
}

export const exportReport: Command = ({ store, context, log }) => async (...args: unknown[]) => {
  const run = store.shown;
  if (!run) {
    void vscode.window.showInformationMessage('TF.js Debugger: no report to export yet.');
    return;
  }
  const parsed = parseExportArgs(args);
  if (parsed.refused) log(parsed.refused);
  const format = parsed.format ?? (await pickFormat());
  if (!format) return;
  const report = run.report();
  const suggested = vscode.Uri.file(path.join(path.dirname(run.request.target), `${basename(run.request.target).replace(/\.[^.]+$/, '')}.tfjs-debug.${format}`));
  const uri = await vscode.window.showSaveDialog({
    defaultUri: suggested, title: 'Export TF.js Debugger Report',
    filters: format === 'json' ? { JSON: ['json'] } : { HTML: ['html'] },
  });
  if (!uri) return;
  try {
    const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : writeHtmlReport(report, await panelAssets(context.extensionUri));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  } catch (e) {
    void vscode.window.showErrorMessage(`TF.js Debugger: could not write the report to ${uri.fsPath}: ${(e as Error).message}`);
    return;
  }
  // The HTML report is a page: "Open in Browser" shows it as one (not its source); JSON opens in the editor.
  const open = format === 'html' ? 'Open in Browser' : 'Open';
  void vscode.window.showInformationMessage(`TF.js Debugger: report written to ${uri.fsPath}${run.running ? ' (a snapshot: the run is still in progress)' : ''}.`, open)
    .then((choice) => {
      if (!choice) return;
      if (format === 'html') void vscode.env.openExternal(uri);
      else void vscode.commands.executeCommand('vscode.open', uri);
    });
};
