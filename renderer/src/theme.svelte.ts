// The colour theme: System (follows the OS), Light or Dark, remembered per browser profile.
// The theme in effect is written to <html data-theme>, which the stylesheets key on, so a
// choice overrides prefers-color-scheme everywhere, the message frames included.
export type ThemeSetting = 'system' | 'light' | 'dark';

const storageKey = 'meridian.theme';

function readSetting(): ThemeSetting {
  try {
    const v = localStorage.getItem(storageKey);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

class Theme {
  setting = $state<ThemeSetting>(readSetting());
  private systemDark = $state(false);
  /** Whether the dark theme is in effect now. */
  readonly dark = $derived(this.setting === 'dark' || (this.setting === 'system' && this.systemDark));

  private readonly query = matchMedia('(prefers-color-scheme: dark)');

  constructor() {
    this.systemDark = this.query.matches;
    this.query.addEventListener('change', () => {
      this.systemDark = this.query.matches;
      this.apply();
    });
    this.apply();
  }

  set(setting: ThemeSetting): void {
    this.setting = setting;
    try {
      localStorage.setItem(storageKey, setting);
    } catch {
      // Private mode or storage full: the choice lasts for this window only.
    }
    this.apply();
  }

  /** Synchronously, so anything reading computed colours next sees the new theme. */
  private apply(): void {
    const dark = this.setting === 'dark' || (this.setting === 'system' && this.query.matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }
}

/** One per window: created on first import, before the app mounts (see main.ts). */
export const theme = new Theme();
