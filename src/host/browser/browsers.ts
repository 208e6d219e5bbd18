// Finds a Chromium-family browser to debug a page in: the one given (--browser, the tfjsDebugger.browserPath
// setting), else the first of the usual names on PATH and the usual install places.
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

const NAMES = ['google-chrome', 'google-chrome-stable', 'chromium', 'chromium-browser', 'microsoft-edge', 'microsoft-edge-stable', 'brave-browser'];
const PLACES: Record<string, string[]> = {
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    `${process.env.PROGRAMFILES ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Microsoft\\Edge\\Application\\msedge.exe`,
  ],
};

export class BrowserNotFound extends Error {}

function isExecutable(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findBrowser(given?: string | null): string {
  if (given) {
    if (!isExecutable(given)) throw new BrowserNotFound(`${given}: no such browser. Give the path of Chrome, Chromium or Edge (--browser, or the tfjsDebugger.browserPath setting).`);
    return given;
  }
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of NAMES) {
    for (const dir of dirs) {
      const file = path.join(dir, process.platform === 'win32' ? `${name}.exe` : name);
      if (existsSync(file) && isExecutable(file)) return file;
    }
  }
  for (const file of PLACES[process.platform] ?? []) if (isExecutable(file)) return file;
  throw new BrowserNotFound('No Chrome, Chromium or Edge was found. Install one, or give its path with --browser (the tfjsDebugger.browserPath setting in VS Code).');
}
