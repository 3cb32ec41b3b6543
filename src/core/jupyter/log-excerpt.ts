// The end of a remote Jupyter log, fit to quote in an error: tokens blanked, length bounded.

/** `?token=…`, `token: …` and `JUPYTER_TOKEN=…` values. */
const TOKEN_PATTERNS = [
  /([?&#]token=)[^&\s"'<>]+/gi,
  /\b((?:jupyter_)?token["']?\s*[:=]\s*["']?)[^\s"',&]+/gi,
];

/** Last `maxLines` non-empty lines of `text`, each token replaced by `…`, at most `maxChars`. */
export function logExcerpt(
  text: string,
  secrets: readonly string[] = [],
  maxLines = 12,
  maxChars = 1_500,
): string {
  let out = text.replace(/\r/g, '');
  for (const secret of secrets) if (secret) out = out.split(secret).join('…');
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, '$1…');
  const lines = out
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
  const tail = lines.slice(-maxLines).join('\n');
  return tail.length > maxChars ? `…${tail.slice(-maxChars)}` : tail;
}
