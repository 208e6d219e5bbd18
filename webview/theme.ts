// Colors and fonts from the --vscode-* variables, for canvas drawing (uPlot), and a watch on theme changes
// (VS Code switches body classes and the variables on <html> when the user changes the theme).

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export interface ChartTheme {
  foreground: string;
  lines: string;
  blue: string;
  orange: string;
  green: string;
  purple: string;
  red: string;
  yellow: string;
  font: string;
  background: string;
}

export function chartTheme(): ChartTheme {
  const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
  return {
    foreground: cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', '#616161')),
    lines: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    blue: cssVar('--vscode-charts-blue', '#3794ff'),
    orange: cssVar('--vscode-charts-orange', '#d18616'),
    green: cssVar('--vscode-charts-green', '#89d185'),
    purple: cssVar('--vscode-charts-purple', '#b180d7'),
    red: cssVar('--vscode-charts-red', '#f14c4c'),
    yellow: cssVar('--vscode-charts-yellow', '#cca700'),
    background: cssVar('--vscode-editor-background', 'transparent'),
    font: `11px ${family}`,
  };
}

/** Axis steps for call indices: whole numbers only. */
export const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

/** `color` with alpha `a`, for fills (#rgb, #rrggbb, #rrggbbaa, rgb(), rgba()). */
export function withAlpha(color: string, a: number): string {
  const c = color.trim();
  let m = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (m) {
    let hex = m[1];
    if (hex.length === 3 || hex.length === 4) hex = [...hex].map((h) => h + h).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return `rgba(${r},${g},${b},${a})`;
  }
  m = /^rgba?\(([^)]+)\)$/i.exec(c);
  if (m) {
    const [r, g, b] = m[1].split(/[\s,/]+/).map(Number);
    return `rgba(${r},${g},${b},${a})`;
  }
  return c;
}

/** Calls `fn` when the theme changes. Returns the unsubscribe function. */
export function onThemeChange(fn: () => void): () => void {
  const observer = new MutationObserver(fn);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', fn);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', fn);
  };
}
