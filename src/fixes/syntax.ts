// Reading a script's syntax tree for the fixes: TypeScript's parser, which reads JavaScript too. Places come
// from the run (1-based line and column of a stack frame); the helpers find the nodes there.
import ts from 'typescript';
import type { SourceLocation } from '../protocol/report.ts';

export function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
}

function scriptKind(file: string): ts.ScriptKind {
  return /\.[cm]?ts$/i.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
}

export function isTypeScript(sf: ts.SourceFile): boolean {
  return scriptKind(sf.fileName) === ts.ScriptKind.TS;
}

/** The offset of a 1-based line and column. */
export function offsetOf(sf: ts.SourceFile, at: SourceLocation): number {
  const lines = sf.getLineStarts();
  if (at.line < 1 || at.line > lines.length) return -1;
  return Math.min(sf.getPositionOfLineAndCharacter(at.line - 1, 0) + Math.max(0, at.column - 1), sf.end);
}

/** Every node of kind `test` whose span contains the offset, innermost last. */
export function enclosing<T extends ts.Node>(sf: ts.SourceFile, offset: number, test: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  const visit = (n: ts.Node) => {
    if (offset < n.getStart(sf) || offset > n.end) return;
    if (test(n)) out.push(n);
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/** Every node under `root` that passes `test`, in source order. */
export function descendants<T extends ts.Node>(root: ts.Node, test: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  const visit = (n: ts.Node) => {
    if (test(n)) out.push(n);
    n.forEachChild(visit);
  };
  root.forEachChild(visit);
  return out;
}

/** The 1-based line a node starts on. */
export function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

/** Calls on the line of `at` (the innermost first), whatever column the stack frame gave. */
export function callsOnLine(sf: ts.SourceFile, at: SourceLocation): ts.CallExpression[] {
  return descendants(sf, ts.isCallExpression).filter((c) => lineOf(sf, c) === at.line).reverse();
}

export function calleeName(call: ts.CallExpression): string {
  const e = call.expression;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isIdentifier(e)) return e.text;
  return '';
}

/** `x.apply(...)` with one or two arguments: a layer or model called on its input. */
export function isApplyCall(n: ts.Node): n is ts.CallExpression {
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'apply' &&
    n.arguments.length >= 1 && n.arguments.length <= 2;
}

export type FunctionLike = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration | ts.MethodDeclaration;

export function isFunctionLike(n: ts.Node): n is FunctionLike {
  return ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n);
}

const TFJS_PACKAGE = /^@tensorflow\/tfjs(-node|-node-gpu|-core|-layers)?$/;

/** The name the script binds tfjs to and the top-level statement that binds it (`const tf = require(...)`,
 *  `import * as tf from ...`, `import tf from ...`), or null when it binds none that way. */
export function tfjsBinding(sf: ts.SourceFile): { name: string; statement: ts.Statement } | null {
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && TFJS_PACKAGE.test(s.moduleSpecifier.text)) {
      const clause = s.importClause;
      if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) return { name: clause.namedBindings.name.text, statement: s };
      if (clause?.name) return { name: clause.name.text, statement: s };
    }
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' &&
          init.arguments.length === 1 && ts.isStringLiteral(init.arguments[0]) && TFJS_PACKAGE.test(init.arguments[0].text)) {
          return { name: d.name.text, statement: s };
        }
      }
    }
  }
  return null;
}
