// The terminal settings (scrollback) as kept in settings.json, with the default for a file that
// has none.
import { SCROLLBACK_LINES } from '../../common/contract';
import type { TerminalSettings } from '../../common/models';
import type { Settings, SettingsStore } from './settings-store';

export function terminalSettingsOf(settings: Settings): TerminalSettings {
  return { scrollback: settings.terminal?.scrollback ?? SCROLLBACK_LINES.default };
}

/** Saves the terminal settings; resolves with them as saved. */
export async function saveTerminalSettings(
  store: SettingsStore,
  change: TerminalSettings,
): Promise<TerminalSettings> {
  const saved = await store.update((current) => ({
    ...current,
    terminal: { ...current.terminal, scrollback: change.scrollback },
  }));
  return terminalSettingsOf(saved);
}
