// What a user does in the workbench, as Playwright steps: the command palette, Quick Open, the editor, hovers,
// the Problems and Output panels, notifications, the sidebar tree, and the debugger's webview panel (reached
// through page.frames(): the panel's content is an iframe nested in VS Code's webview iframe).
import type { Frame, Locator, Page } from 'playwright-core';
import { sleep } from './harness.ts';

/** Polls fn until it returns something other than null/undefined/false; throws with `what` after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v !== null && v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** Collapses whitespace (the editor renders spaces as no-break spaces). */
export function squash(text: string | null | undefined): string {
  return (text ?? '').replace(/[\s\u00a0]+/g, ' ').trim();
}

export class Workbench {
  constructor(readonly page: Page) {}

  // ---- quick input -------------------------------------------------------------------------------------

  private get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Labels of the rows the quick input lists now. */
  async quickPickLabels(): Promise<string[]> {
    return this.page.$$eval('.quick-input-widget .quick-input-list .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
  }

  /** Waits until the focused row of the quick input starts with label, then accepts it. */
  async acceptQuickPick(label: string | RegExp, timeoutMs = 15_000): Promise<void> {
    const matches = (text: string) => (typeof label === 'string' ? text.startsWith(label) : label.test(text));
    await until(`the quick pick row ${String(label)}`, async () => {
      const focused = await this.page.$$eval('.quick-input-widget .quick-input-list .monaco-list-row.focused',
        (rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
      if (focused.some(matches)) return true;
      // Not the focused one: move focus down to it (the list keeps the first match focused as one types).
      const all = await this.quickPickLabels();
      const index = all.findIndex(matches);
      if (index > 0) {
        await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').nth(index).click();
        return 'clicked';
      }
      return false;
    }, timeoutMs);
    if (await this.quickInput.isVisible()) await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  /**
   * F1. When keyboard focus sits inside a webview (the panel), code-server may not see the key: then focus
   * goes back to the workbench (a click on an empty spot of the title bar) and F1 is pressed again.
   */
  async openPalette(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.closeQuickInput();
      if (attempt > 0) await this.page.locator('.part.titlebar').first().click({ position: { x: 8, y: 8 } }).catch(() => undefined);
      await this.page.keyboard.press('F1');
      try {
        await this.quickInput.waitFor({ state: 'visible', timeout: 4_000 });
        return;
      } catch {
        // focus was elsewhere; try again
      }
    }
    throw new Error('the command palette did not open after three tries of F1');
  }

  /**
   * F1, the command's title as the palette shows it ("Category: Title"), Enter. If the palette closes before
   * the row shows (focus taken by an editor a previous step revealed, say), it is opened and typed again.
   */
  async runCommand(title: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.openPalette();
      await this.page.keyboard.type(title, { delay: 5 });
      try {
        await this.acceptQuickPick(title, attempt < 3 ? 8_000 : 15_000);
        return;
      } catch (e) {
        if (attempt >= 3 || await this.quickInput.isVisible()) throw e;
      }
    }
  }

  /**
   * The palette's entries for a query (then closes it). Until the extension host has registered the
   * extensions' commands the palette lacks them, so the palette is reopened until `ready` holds.
   */
  async paletteEntries(query: string, ready: (labels: string[]) => boolean = (l) => l.length > 0, timeoutMs = 60_000): Promise<string[]> {
    let last: string[] = [];
    try {
      return await until(`palette entries for "${query}"`, async () => {
        await this.openPalette();
        await this.page.keyboard.type(query, { delay: 5 });
        await sleep(500);
        last = await this.quickPickLabels();
        await this.closeQuickInput();
        return ready(last) ? last : null;
      }, timeoutMs, 1000);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the palette showed: ${last.join(' | ') || '(nothing)'}`);
    }
  }

  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    }
  }

  // ---- editors -----------------------------------------------------------------------------------------

  /**
   * Opens a workspace file as a user would: a click on it in the Explorer when it is listed there (top-level
   * files), else Quick Open (Ctrl+P, whose first search can take seconds on a busy machine). Waits until its
   * editor is the active one.
   */
  async openFile(name: string): Promise<void> {
    await this.closeQuickInput();
    const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first();
    if (!name.includes('/') && await row.isVisible().catch(() => false)) {
      await row.click();
      await this.waitForActiveEditor(name);
      return;
    }
    await this.page.keyboard.press('Control+P');
    await this.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.keyboard.type(name, { delay: 5 });
    const base = name.split('/').pop() ?? name;
    await this.acceptQuickPick(new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`), 60_000);
    await this.waitForActiveEditor(base);
  }

  async waitForActiveEditor(name: string, timeoutMs = 20_000): Promise<void> {
    await until(`the editor of ${name} to be active`, async () => {
      const active = await this.activeTabName();
      if (active !== name) return false;
      return this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().isVisible();
    }, timeoutMs);
  }

  async activeTabName(): Promise<string | null> {
    return this.page.evaluate(() => {
      const tab = document.querySelector('.editor-group-container.active .tab.active');
      return tab?.getAttribute('data-resource-name') ?? tab?.getAttribute('aria-label')?.split(',')[0] ?? null;
    });
  }

  /** The cursor position the status bar shows ("Ln 6, Col 3"). */
  async cursor(): Promise<{ line: number; column: number } | null> {
    const text = await this.page.locator('#status\\.editor\\.selection').textContent({ timeout: 5000 }).catch(() => null);
    const m = /Ln (\d+), Col (\d+)/.exec(text ?? '');
    return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
  }

  /** Go to Line (Ctrl+G) "line:column". */
  async goToLine(line: number, column = 1): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('Control+G');
    await this.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.keyboard.type(`${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await until(`the cursor at ${line}:${column}`, async () => {
      const c = await this.cursor();
      return c?.line === line;
    }, 10_000);
  }

  /** The active editor's rendered line element for a 1-based line number (scrolls it into view first). */
  async editorLine(line: number): Promise<Locator> {
    await this.goToLine(line);
    return until(`line ${line} rendered`, () => this.renderedLine(line), 10_000);
  }

  /** The element that renders a line now, or null when it is not rendered. Line elements are absolutely
   *  positioned and reused as the editor scrolls: they are mapped through the line-number gutter. */
  private async renderedLine(line: number): Promise<Locator | null> {
    const index = await this.page.evaluate((wanted) => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      if (!editor) return -1;
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')];
      const number = numbers.find((n) => n.textContent?.trim() === String(wanted)) as HTMLElement | undefined;
      if (!number) return -1;
      const top = (number.closest('[style*="top"]') as HTMLElement | null)?.style.top ?? number.parentElement?.style.top;
      const views = [...editor.querySelectorAll('.view-lines .view-line')] as HTMLElement[];
      return views.findIndex((v) => v.style.top === top);
    }, line);
    return index >= 0 ? this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line').nth(index) : null;
  }

  /** Hovers the mouse over the first occurrence of text on a line; returns the hover widget's text. */
  async hoverText(line: number, text: string, expect: RegExp = /\S/, timeoutMs = 15_000): Promise<string> {
    await this.editorLine(line);
    // The editor splits a line into one span per token: look for the text's first token.
    const token = /[\w$]+/.exec(text)?.[0] ?? text;
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-editor-hover:not(.hidden) .hover-contents');
    let seen = '(no hover shown)';
    return until(`a hover on "${text}" matching ${expect}`, async () => {
      // Found again on every try: the editor reuses line elements and the layout moves as panels open.
      const box = await this.tokenBox(line, token);
      if (!box) {
        seen = `("${token}" not on line ${line} as rendered)`;
        await this.editorLine(line);
        return null;
      }
      await this.page.mouse.move(box.x - 30, box.y + 40);
      await sleep(100);
      await this.page.mouse.move(box.x, box.y, { steps: 3 });
      const shown = await hover.first().waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
      if (!shown) return null;
      const all = squash((await hover.allTextContents()).join('\n'));
      seen = all;
      return expect.test(all) ? all : null;
    }, timeoutMs, 500).catch((e: Error) => {
      throw new Error(`${e.message}; the last hover read: ${seen.slice(0, 600)}`);
    });
  }

  /** The centre of the first occurrence of token on an editor line as rendered now, or null. */
  private async tokenBox(line: number, token: string): Promise<{ x: number; y: number } | null> {
    const view = await this.renderedLine(line);
    return view && view.evaluate((node, wanted) => {
      const range = document.createRange();
      const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const at = (t.textContent ?? '').replace(/\u00a0/g, ' ').indexOf(wanted);
        if (at < 0) continue;
        range.setStart(t, at);
        range.setEnd(t, at + Math.min(wanted.length, 4));
        const r = range.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }
      return null;
    }, token);
  }

  /** Scrolls the visible hover (mouse wheel over it) until the first block matching text is at its top. */
  async scrollHoverTo(text: RegExp): Promise<void> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)').first();
    const box = await hover.boundingBox();
    if (!box) return;
    await this.page.mouse.move(box.x + box.width / 2, box.y + Math.min(40, box.height / 2));
    for (let i = 0; i < 15; i++) {
      const offset = await hover.evaluate((h, source) => {
        const re = new RegExp(source);
        const blocks = [...h.querySelectorAll('p, h1, h2, h3, td')] as HTMLElement[];
        const hit = blocks.find((b) => re.test(b.textContent ?? ''));
        return hit ? hit.getBoundingClientRect().top - h.getBoundingClientRect().top : null;
      }, text.source);
      if (offset === null || Math.abs(offset - 6) < 12) return;
      await this.page.mouse.wheel(0, offset - 6);
      await sleep(200);
    }
  }

  /** CodeLens titles in the active editor with the top offsets of the lens and of a given line. */
  async codeLenses(): Promise<{ text: string; top: number }[]> {
    return this.page.$$eval('.editor-group-container.active .monaco-editor .codelens-decoration', (els) => els.map((e) => ({
      text: (e.textContent ?? '').replace(/[\s\u00a0]+/g, ' ').trim(),
      top: e.getBoundingClientRect().top,
    })));
  }

  // ---- panels ------------------------------------------------------------------------------------------

  /** Problems panel rows (Ctrl+Shift+M). */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
    return (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''))).map(squash);
  }

  /** The text of an output channel as the Output panel shows it. */
  async outputChannelText(channel: string): Promise<string> {
    await this.runCommand('Output: Show Output Channels...');
    await this.page.keyboard.type(channel, { delay: 5 });
    await this.acceptQuickPick(channel);
    const lines = this.page.locator('.part.panel .output-view .monaco-editor .view-lines');
    await lines.waitFor({ state: 'visible', timeout: 10_000 });
    await sleep(500);
    // The editor renders the visible lines only; the channel's text is short in these scenarios, and the
    // lines are read in their on-screen order.
    return this.page.$$eval('.part.panel .output-view .monaco-editor .view-lines .view-line', (els) => (els as HTMLElement[])
      .map((e) => ({ top: parseFloat(e.style.top || '0'), text: (e.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top).map((l) => l.text).join('\n'));
  }

  /** Texts of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    return (await this.page.$$eval('.notifications-toasts .notification-toast', (els) => els.map((e) => {
      const message = e.querySelector('.notification-list-item-message')?.textContent ?? '';
      const source = e.querySelector('.notification-list-item-source')?.textContent ?? '';
      const buttons = [...e.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => `[${b.textContent ?? ''}]`).join(' ');
      return `${message} ${buttons} ${source}`;
    }))).map(squash);
  }

  async waitForNotification(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return until(`a notification matching ${pattern}`, async () => (await this.notifications()).find((t) => pattern.test(t)) ?? null, timeoutMs);
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }

  // ---- terminal and code actions -------------------------------------------------------------------------

  /** The text of the terminal the Terminal panel shows (the DOM renderer: gpuAcceleration off), rows in order. */
  async terminalText(): Promise<string> {
    return this.page.$$eval('.part.panel .terminal-wrapper.active .xterm-rows > div',
      (rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()).join('\n'));
  }

  /** Ctrl+. at a place in the active editor: the code actions offered (titles), the menu left open. */
  async codeActionsAt(line: number, column: number): Promise<string[]> {
    await this.goToLine(line, column);
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    return until(`code actions at ${line}:${column}`, async () => {
      if (!(await rows.first().isVisible().catch(() => false))) {
        await this.page.keyboard.press('Control+.');
        await rows.first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
      }
      const titles = (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''))).map(squash);
      return titles.length ? titles : null;
    }, 30_000, 500);
  }

  /** Picks a code action from the open Ctrl+. menu with the keyboard (the menu blocks the mouse elsewhere). */
  async applyCodeAction(title: string): Promise<void> {
    const focused = () => this.page.$$eval('.action-widget .monaco-list-row.action.focused', (els) => els.map((e) => e.getAttribute('aria-label') ?? '')[0] ?? '');
    await until(`the code action "${title}" focused`, async () => {
      if (await focused() === title) return true;
      await this.page.keyboard.press('ArrowDown');
      await sleep(100);
      return false;
    }, 10_000, 0);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.action-widget').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  // ---- sidebar -----------------------------------------------------------------------------------------

  /** Opens the TF.js Debugger view container from its activity bar icon. */
  async openDebuggerSidebar(): Promise<void> {
    const icon = this.page.locator('.part.activitybar .action-item a[aria-label^="TF.js Debugger"], .part.activitybar .action-item [aria-label^="TF.js Debugger"]').first();
    await icon.waitFor({ state: 'visible', timeout: 15_000 });
    const header = this.page.locator('.part.sidebar .pane-header[aria-label*="Runs"], .part.sidebar .composite.title h2:has-text("TF.js Debugger")').first();
    // After a window reload the container can be the checked one while the side bar itself is hidden: a click on
    // its icon shows it (and hides a side bar that was showing, so each click is checked before the next).
    const checked = await icon.evaluate((a) => a.closest('.action-item')?.classList.contains('checked') ?? false);
    if (!checked) await icon.click();
    for (let attempt = 0; ; attempt++) {
      try {
        await header.waitFor({ state: 'visible', timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt === 2) throw e;
        await icon.click();
      }
    }
  }

  /** Rows of the Runs tree: label, description, depth, expanded. */
  async treeRows(): Promise<{ label: string; depth: number; expanded: boolean | null; text: string }[]> {
    return this.page.$$eval('.part.sidebar .monaco-list-row', (rows) => rows.map((r) => ({
      label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
      depth: Number(r.getAttribute('aria-level') ?? '0'),
      expanded: r.hasAttribute('aria-expanded') ? r.getAttribute('aria-expanded') === 'true' : null,
      text: (r.getAttribute('aria-label') ?? r.textContent ?? '').replace(/\s+/g, ' ').trim(),
    })));
  }

  treeRow(label: string | RegExp): Locator {
    return this.page.locator('.part.sidebar .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
  }

  /** Expands a collapsed tree row by clicking its twistie. */
  async expandTreeRow(label: string | RegExp): Promise<void> {
    const row = this.treeRow(label);
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    await until(`tree row ${String(label)} expanded`, async () => (await row.getAttribute('aria-expanded')) === 'true', 10_000);
  }

  // ---- the debugger panel (webview) -------------------------------------------------------------------------

  /** The frame that renders the panel (has #run-header). */
  async panelFrame(timeoutMs = 30_000): Promise<Frame> {
    return until('the TF.js Debugger panel webview', async () => {
      for (const f of this.page.frames()) {
        if (f.isDetached()) continue;
        const has = await f.evaluate(() => document.querySelector('#run-header') !== null).catch(() => false);
        if (has) return f;
      }
      return null;
    }, timeoutMs);
  }

  /** The status the panel shows now, or null when no panel is open (no waiting). */
  async panelStatusNow(): Promise<string | null> {
    for (const f of this.page.frames()) {
      if (f.isDetached()) continue;
      const st = await f.evaluate(() => document.querySelector('#run-status')?.getAttribute('data-status') ?? null).catch(() => null);
      if (st) return st;
    }
    return null;
  }

  /** The panel's compare view, once it shows both runs with their charts: each side's title and the rules of
   *  each side's findings, and the frame (it has no run header, so panelFrame does not find it). */
  async compareView(timeoutMs = 30_000): Promise<{ before: string; after: string; rulesBefore: string[]; rulesAfter: string[]; frame: Frame }> {
    return until('the compare view', async () => {
      for (const f of this.page.frames()) {
        if (f.isDetached()) continue;
        const got = await f.evaluate(`(() => {
          const side = (id) => { const e = document.querySelector('#compare-' + id + ' .compare-title'); return e ? e.textContent.trim() : null; };
          const rules = (id) => [...document.querySelectorAll('#compare-' + id + ' .compare-finding')].map((f) => f.getAttribute('data-rule'));
          const before = side('before');
          const after = side('after');
          return before && after && document.querySelectorAll('#compare canvas').length >= 2
            ? { before, after, rulesBefore: rules('before'), rulesAfter: rules('after') } : null;
        })()`).catch(() => null) as { before: string; after: string; rulesBefore: string[]; rulesAfter: string[] } | null;
        if (got) return { ...got, frame: f };
      }
      return null;
    }, timeoutMs);
  }

  /** Evaluates fn in the panel's frame, re-finding the frame when the webview was re-created. */
  async inPanel<T>(fn: (doc: Document) => T): Promise<T> {
    const frame = await this.panelFrame();
    // tsx (esbuild, keepNames) may wrap named inner functions in __name(): define it in the page too.
    return frame.evaluate(`(() => { const __name = (f) => f; return (${fn.toString()})(document); })()`) as Promise<T>;
  }

  async panelStatus(): Promise<string | null> {
    return this.inPanel((d) => d.querySelector('#run-status')?.getAttribute('data-status') ?? null).catch(() => null);
  }

  async waitForPanelStatus(status: string | RegExp, timeoutMs = 60_000): Promise<string> {
    const ok = (s: string | null) => s !== null && (typeof status === 'string' ? s === status : status.test(s));
    return until(`the panel status ${String(status)}`, async () => {
      const s = await this.panelStatus();
      return ok(s) ? s : null;
    }, timeoutMs, 250);
  }

  /** The layer table's rows as the panel shows them. */
  async layerTable(): Promise<LayerTableRow[]> {
    return this.inPanel((d) => [...d.querySelectorAll('#layer-table tbody tr[data-layer-id]')].map((tr) => {
      const cell = (key: string) => tr.querySelector(`.col-${key}`);
      const text = (key: string) => (cell(key)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      return {
        id: Number(tr.getAttribute('data-layer-id')),
        name: text('name'),
        className: text('className'),
        modeInside: cell('modeInside')?.querySelector('[data-mode]')?.getAttribute('data-mode') ?? null,
        modeOutside: cell('modeOutside')?.querySelector('[data-mode]')?.getAttribute('data-mode') ?? null,
        outsideText: text('modeOutside'),
        source: text('source'),
        share: text('share'),
      };
    }));
  }

  /** The latest probed call's losses above the chart: the text shown and the full value in its tooltip. */
  async losses(): Promise<Record<string, { text: string; full: string }>> {
    return this.inPanel((d) => Object.fromEntries([...d.querySelectorAll('#loss-summary [data-loss]')].map((e) => [
      e.getAttribute('data-loss') ?? '', { text: (e.textContent ?? '').trim(), full: e.getAttribute('title') ?? '' },
    ])));
  }

  /** Finding cards: rule and the card's text. */
  async findings(): Promise<{ rule: string; severity: string; text: string }[]> {
    return this.inPanel((d) => [...d.querySelectorAll('#findings .finding-card[data-rule]')].map((c) => ({
      rule: c.getAttribute('data-rule') ?? '',
      severity: c.getAttribute('data-severity') ?? '',
      text: ((c as HTMLElement).innerText ?? c.textContent ?? '').replace(/\s+/g, ' ').trim(),
    })));
  }

  /** Text of an element in the panel (innerText, whitespace collapsed), or null when absent. */
  async panelText(selector: string): Promise<string | null> {
    const frame = await this.panelFrame();
    return frame.evaluate((sel) => {
      const e = document.querySelector(sel) as HTMLElement | null;
      return e ? (e.innerText ?? e.textContent ?? '').replace(/\s+/g, ' ').trim() : null;
    }, selector);
  }

  async panelAttribute(selector: string, name: string): Promise<string | null> {
    const frame = await this.panelFrame();
    return frame.evaluate(([sel, attr]) => document.querySelector(sel)?.getAttribute(attr) ?? null, [selector, name] as const);
  }
}

export interface LayerTableRow {
  id: number;
  name: string;
  className: string;
  modeInside: string | null;
  modeOutside: string | null;
  outsideText: string;
  source: string;
  share: string;
}
