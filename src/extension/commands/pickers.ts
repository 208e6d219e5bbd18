// Quick picks of the workspace's own files (training scripts, model.json files, pages and Vite apps), the ones
// debugged lately first, instead of a folder dialog. "Browse…" is still there for a file outside the workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { recentFirst, recentTargets } from '../logic/recent.ts';

const EXCLUDE = '**/{node_modules,.git,dist,out,build,.cache,coverage}/**';
const MAX_FILES = 200;

export interface PickedTarget {
  /** A file or folder path, or a URL. */
  target: string;
  kind: 'file' | 'folder' | 'url';
}

interface Item extends vscode.QuickPickItem {
  value?: PickedTarget;
  browse?: boolean;
  enterUrl?: boolean;
}

function relative(file: string): string {
  return vscode.workspace.asRelativePath(file, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

async function workspaceFiles(glob: string, accept: (file: string) => boolean = () => true): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(glob, EXCLUDE, MAX_FILES);
  return uris.filter((u) => u.scheme === 'file' && accept(u.fsPath)).map((u) => u.fsPath).sort((a, b) => relative(a).localeCompare(relative(b)));
}

function fileItem(file: string, recent: readonly string[], kind: PickedTarget['kind'] = 'file'): Item {
  return {
    label: `$(${kind === 'folder' ? 'folder' : 'file'}) ${path.basename(file)}`,
    description: relative(kind === 'folder' ? file : path.dirname(file)),
    detail: recent.includes(file) ? 'recently debugged' : undefined,
    value: { target: file, kind },
  };
}

async function pick(items: Item[], title: string, placeHolder: string): Promise<Item | undefined> {
  return vscode.window.showQuickPick(items, { title, placeHolder, matchOnDescription: true });
}

export async function pickScript(state: vscode.Memento): Promise<string | undefined> {
  const recent = recentTargets(state);
  const files = await workspaceFiles('**/*.{js,mjs,cjs,ts,mts,cts}', (f) => !/\.d\.[cm]?ts$/.test(f) && !/(^|[\\/])(vite|webpack|rollup|eslint|jest|vitest)\.config\./.test(f));
  const items: Item[] = [...recentFirst(files, (f) => f, recent).map((f) => fileItem(f, recent)), { label: '$(folder-opened) Browse…', browse: true }];
  const choice = await pick(items, 'Debug Training Script', 'A script that trains with tfjs');
  if (choice?.browse) {
    return (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Debug', title: 'Debug Training Script', filters: { 'Training scripts': ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'] } }))?.[0]?.fsPath;
  }
  return choice?.value?.target;
}

export async function pickModel(state: vscode.Memento): Promise<string | undefined> {
  const recent = recentTargets(state);
  const files = await workspaceFiles('**/model.json');
  const items: Item[] = [...recentFirst(files, (f) => f, recent).map((f) => fileItem(f, recent)), { label: '$(folder-opened) Browse…', browse: true }];
  const choice = await pick(items, 'Probe Saved Model', 'A TensorFlow.js model.json');
  if (choice?.browse) {
    return (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Probe', title: 'Probe Saved Model (model.json)', filters: { 'TensorFlow.js model': ['json'] } }))?.[0]?.fsPath;
  }
  return choice?.value?.target;
}

const URL_PATTERN = /^https?:\/\/\S+$/i;

export async function pickPage(state: vscode.Memento): Promise<PickedTarget | undefined> {
  const recent = recentTargets(state);
  const pages = await workspaceFiles('**/*.html');
  const apps = (await workspaceFiles('**/vite.config.{js,mjs,ts,mts,cjs}')).map((f) => path.dirname(f));
  const recentUrls = recent.filter((t) => URL_PATTERN.test(t));
  const candidates: Item[] = [
    ...recentUrls.map((u): Item => ({ label: `$(globe) ${u}`, detail: 'recently debugged', value: { target: u, kind: 'url' } })),
    ...apps.map((a) => ({ ...fileItem(a, recent, 'folder'), label: `$(rocket) ${path.basename(a)}`, description: `${relative(a)} · Vite app: its dev server is started for the run` })),
    ...pages.map((f) => fileItem(f, recent)),
  ];
  const items: Item[] = [
    ...recentFirst(candidates, (i) => i.value?.target ?? '', recent),
    { label: '$(link) Enter a URL…', description: 'a page a dev server already serves', enterUrl: true },
    { label: '$(folder-opened) Browse…', browse: true },
  ];
  const choice = await pick(items, 'Debug Training Page', 'A page that trains with tfjs: a URL, an .html file, or a Vite app');
  if (!choice) return undefined;
  if (choice.enterUrl) {
    const url = await vscode.window.showInputBox({
      title: 'Debug Training Page', prompt: 'The page\'s URL', value: recentUrls[0] ?? 'http://localhost:5173/',
      validateInput: (v) => (URL_PATTERN.test(v.trim()) ? null : 'An http:// or https:// URL'),
    });
    return url ? { target: url.trim(), kind: 'url' } : undefined;
  }
  if (choice.browse) {
    const uri = (await vscode.window.showOpenDialog({ canSelectMany: false, canSelectFolders: true, canSelectFiles: true, openLabel: 'Debug', title: 'Debug Training Page: an .html file or a Vite app folder', filters: { 'Web pages': ['html', 'htm'] } }))?.[0];
    if (!uri) return undefined;
    const stat = await vscode.workspace.fs.stat(uri);
    return { target: uri.fsPath, kind: stat.type & vscode.FileType.Directory ? 'folder' : 'file' };
  }
  return choice.value;
}
