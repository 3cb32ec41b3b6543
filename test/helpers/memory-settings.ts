// settings.json's store without a file, for services that only read and update settings.
import { Emitter } from '../../src/common/event';
import {
  defaultSettings,
  settingsSchema,
  type Settings,
} from '../../src/core/settings/settings-schema';
import type { SettingsStore } from '../../src/core/settings/settings-store';

export class MemorySettings implements Pick<SettingsStore, 'get' | 'update' | 'onDidChange'> {
  private readonly changed = new Emitter<Settings>();
  readonly onDidChange = this.changed.event;
  private current: Settings;

  constructor(initial: Partial<Settings> = {}) {
    this.current = settingsSchema.parse({ ...defaultSettings(), ...initial });
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  /** Validated with the real schema, as the file-backed store does. */
  async update(change: (current: Settings) => Settings): Promise<Settings> {
    this.current = settingsSchema.parse(change(this.get()));
    this.changed.fire(this.get());
    return this.get();
  }
}
