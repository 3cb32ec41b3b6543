// The Scrollback field of Terminal settings: what was typed, as a number of lines or the rule.
import { SCROLLBACK_LINES, SCROLLBACK_RULE } from '../../../common/contract';

/** The typed scrollback as a number of lines, or the rule it breaks in the field's words. */
export function parseScrollback(text: string): { lines: number } | { problem: string } {
  // Digits only (thousands separators allowed): "1e4" or "10000.5" are not a number of lines.
  const plain = text.trim().replace(/[,\s_]/g, '');
  if (!/^\d+$/.test(plain)) return { problem: SCROLLBACK_RULE };
  const lines = Number(plain);
  if (lines < SCROLLBACK_LINES.min || lines > SCROLLBACK_LINES.max) {
    return { problem: SCROLLBACK_RULE };
  }
  return { lines };
}
