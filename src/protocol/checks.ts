// Small checks that the protocol's validators are built from: each takes anything and says whether it has the
// expected shape. Used on what crosses a process or a webview boundary, and on stored data read back.

export type Check = (x: unknown) => boolean;

export const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
export const isStr: Check = (x) => typeof x === 'string';
export const isNum: Check = (x) => typeof x === 'number';
export const isInt: Check = (x) => Number.isInteger(x);
export const isBool: Check = (x) => typeof x === 'boolean';
export const isArray: Check = (x) => Array.isArray(x);
export const orNull = (c: Check): Check => (x) => x === null || c(x);
export const optional = (c: Check): Check => (x) => x === undefined || c(x);
export const listOf = (c: Check): Check => (x) => Array.isArray(x) && x.every(c);
export const oneOf = (values: readonly unknown[]): Check => (x) => values.includes(x);
export const shape = (fields: Record<string, Check>): Check => (x) => isObj(x) && Object.entries(fields).every(([k, c]) => c(x[k]));
