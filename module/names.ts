/**
 * Characters no name may hold: C0 and C1 controls (CR, LF, tab…), DEL, and the bidirectional
 * marks, embeddings, overrides and isolates that make text read differently from what it is.
 */
const CONTROL_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]';
const CONTROL = new RegExp(CONTROL_CLASS);
const CONTROLS = new RegExp(`${CONTROL_CLASS}+`, 'g');

/** A name (of a user or an account) as typed: refused when it holds a control character. */
export function hasControlCharacters(name: string): boolean {
  return CONTROL.test(name);
}

/** One line of text for an e-mail: controls become one space, so a value can never start a line of its own. */
export function oneLine(value: string): string {
  return value.replace(CONTROLS, ' ');
}
