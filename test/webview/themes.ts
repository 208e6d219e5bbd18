// The --vscode-* variables VS Code defines in a webview for its Dark Modern, Light Modern and High Contrast
// themes (the ones the panel and @vscode-elements read), and the body class VS Code sets for each.
// Colors a theme leaves undefined (High Contrast has no list selection or button background) are absent,
// as in VS Code, so the panel's fallbacks are exercised.

const FONTS = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-weight': 'normal',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-weight': 'normal',
  '--vscode-editor-font-size': '14px',
};

export interface Theme {
  name: 'dark' | 'light' | 'high-contrast';
  bodyClass: string;
  kind: string;
  vars: Record<string, string>;
}

export const THEMES: Record<Theme['name'], Theme> = {
  dark: {
    name: 'dark', bodyClass: 'vscode-dark', kind: 'vscode-dark',
    vars: {
      ...FONTS,
      '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d', '--vscode-focusBorder': '#0078d4', '--vscode-icon-foreground': '#cccccc',
      '--vscode-panel-border': '#2b2b2b', '--vscode-widget-border': '#313131', '--vscode-editorWidget-background': '#202020',
      '--vscode-textLink-foreground': '#4daafc', '--vscode-textLink-activeForeground': '#4daafc',
      '--vscode-textPreformat-foreground': '#d0d0d0', '--vscode-textPreformat-background': '#3c3c3c',
      '--vscode-textCodeBlock-background': '#2b2b2b', '--vscode-errorForeground': '#f85149',
      '--vscode-editorError-foreground': '#f14c4c', '--vscode-editorWarning-foreground': '#cca700', '--vscode-editorInfo-foreground': '#3794ff',
      '--vscode-testing-iconPassed': '#73c991',
      '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-activeSelectionBackground': '#04395e',
      '--vscode-list-activeSelectionForeground': '#ffffff', '--vscode-list-inactiveSelectionBackground': '#37373d',
      '--vscode-list-focusOutline': '#0078d4',
      '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#ffffff1a',
      '--vscode-button-hoverBackground': '#026ec1', '--vscode-button-secondaryBackground': '#00000000',
      '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#2b2b2b',
      '--vscode-toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
      '--vscode-charts-foreground': '#cccccc', '--vscode-charts-lines': 'rgba(204, 204, 204, 0.5)',
      '--vscode-charts-red': '#f14c4c', '--vscode-charts-blue': '#3794ff', '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
    },
  },
  light: {
    name: 'light', bodyClass: 'vscode-light', kind: 'vscode-light',
    vars: {
      ...FONTS,
      '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b', '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#3b3b3b', '--vscode-focusBorder': '#005fb8', '--vscode-icon-foreground': '#3b3b3b',
      '--vscode-panel-border': '#e5e5e5', '--vscode-widget-border': '#e5e5e5', '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-textLink-foreground': '#005fb8', '--vscode-textLink-activeForeground': '#005fb8',
      '--vscode-textPreformat-foreground': '#3b3b3b', '--vscode-textPreformat-background': '#0000001f',
      '--vscode-textCodeBlock-background': '#f8f8f8', '--vscode-errorForeground': '#f85149',
      '--vscode-editorError-foreground': '#e51400', '--vscode-editorWarning-foreground': '#bf8803', '--vscode-editorInfo-foreground': '#1a85ff',
      '--vscode-testing-iconPassed': '#388a34',
      '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-list-activeSelectionForeground': '#000000', '--vscode-list-inactiveSelectionBackground': '#e4e6f1',
      '--vscode-list-focusOutline': '#005fb8',
      '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#0000001a',
      '--vscode-button-hoverBackground': '#0258a8', '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
      '--vscode-charts-foreground': '#3b3b3b', '--vscode-charts-lines': 'rgba(59, 59, 59, 0.5)',
      '--vscode-charts-red': '#e51400', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90',
    },
  },
  'high-contrast': {
    name: 'high-contrast', bodyClass: 'vscode-high-contrast', kind: 'vscode-high-contrast',
    vars: {
      ...FONTS,
      '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff', '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': 'rgba(255, 255, 255, 0.7)', '--vscode-focusBorder': '#f38518', '--vscode-icon-foreground': '#ffffff',
      '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-panel-border': '#6fc3df', '--vscode-widget-border': '#6fc3df', '--vscode-editorWidget-background': '#0c141f',
      '--vscode-textLink-foreground': '#21a6ff', '--vscode-textLink-activeForeground': '#21a6ff',
      '--vscode-textPreformat-foreground': '#ffffff', '--vscode-textPreformat-background': '#ffffff1a',
      '--vscode-textCodeBlock-background': '#000000', '--vscode-errorForeground': '#f48771',
      '--vscode-editorError-foreground': '#f48771', '--vscode-editorWarning-foreground': '#ffd370', '--vscode-editorInfo-foreground': '#3794ff',
      '--vscode-testing-iconPassed': '#73c991',
      '--vscode-inputValidation-errorBackground': '#000000', '--vscode-inputValidation-errorBorder': '#6fc3df',
      '--vscode-list-focusOutline': '#f38518',
      '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff',
      '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-charts-foreground': '#ffffff', '--vscode-charts-lines': 'rgba(255, 255, 255, 0.5)',
      '--vscode-charts-red': '#f48771', '--vscode-charts-blue': '#3794ff', '--vscode-charts-yellow': '#ffd370',
      '--vscode-charts-orange': '#ab5a00', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
    },
  },
};
