// The update setting as kept in settings.json (`updates.enabled`, on unless turned off).
import type { Settings, SettingsStore } from '../settings/settings-store';

export function updatesEnabledIn(settings: Settings): boolean {
  return settings.updates?.enabled ?? true;
}

/** Saves the setting, keeping whatever else a newer app keeps under `updates`. */
export async function saveUpdatesEnabled(
  store: Pick<SettingsStore, 'update'>,
  enabled: boolean,
): Promise<boolean> {
  const saved = await store.update((current) => ({
    ...current,
    updates: { ...current.updates, enabled },
  }));
  return updatesEnabledIn(saved);
}
