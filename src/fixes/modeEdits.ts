// The one edit the mode fixes share: `training` set in a layer or model call's kwargs.
import ts from 'typescript';
import type { TextEdit } from './edits.ts';

/** Sets `training` in a call's kwargs (`x.apply(input, {...})`; added when the call has none), or null when the
 *  call already says so or its kwargs are not an object literal. */
export function setTraining(sf: ts.SourceFile, call: ts.CallExpression, training: boolean): TextEdit | null {
  const kwargs = call.arguments[1];
  if (!kwargs) return { start: call.arguments[0].end, end: call.arguments[0].end, text: `, { training: ${training} }` };
  if (!ts.isObjectLiteralExpression(kwargs)) return null;
  const prop = kwargs.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'training');
  if (prop) {
    if (prop.initializer.getText(sf) === String(training)) return null;
    return { start: prop.initializer.getStart(sf), end: prop.initializer.end, text: String(training) };
  }
  const insertAt = kwargs.getStart(sf) + 1;
  return { start: insertAt, end: insertAt, text: kwargs.properties.length ? ` training: ${training},` : ` training: ${training} ` };
}
