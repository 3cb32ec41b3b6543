// The app's keyboard shortcuts, in one place so terminals pass them through instead of typing them.

export type AppCommand = 'open-jupyter';

/** Shown in menus and tooltips. */
export const shortcutLabels: Record<AppCommand, string> = {
  'open-jupyter': 'Ctrl+Shift+O',
};

/**
 * The command a key press asks for, if any. Ctrl+Shift+letter, like Linux terminals' own
 * commands: a shell cannot tell Ctrl+Shift+O from Ctrl+O, so nothing is taken from it (and
 * Ctrl+Shift+J, the obvious "Jupyter", opens the browser's developer tools first).
 */
export function appCommand(event: KeyboardEvent): AppCommand | undefined {
  if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey || event.altKey) return;
  if (event.key.toLowerCase() === 'o') return 'open-jupyter';
  return undefined;
}
