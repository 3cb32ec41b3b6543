// The last part of a path, for naming a key file in a sentence without its whole folder.

/** Works for both `/` and `\` paths: the app may run on Windows while the UI shows the path. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
