// The user's preferences (shared/settings): the theme, kept in the data folder through the API so that it
// follows the user to the desktop app and to every `layerwise serve` page (a new port each launch means a new
// origin, whose localStorage starts empty). localStorage only caches the last choice so that a reload paints
// in it at once, before the API answers.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { THEMES, type Theme } from '../../../shared/index.js';
import { toApiError, useApi } from '../api/client.js';
import { prefersDark, themeChoice } from '../components/charts.js';

const CACHE_KEY = 'layerwise.theme';

function cached(): Theme {
  try {
    const v = globalThis.localStorage?.getItem(CACHE_KEY);
    return (THEMES as readonly string[]).includes(v ?? '') ? (v as Theme) : 'system';
  } catch {
    return 'system';
  }
}

/** Marks the page light or dark for the style sheet (`:root[data-theme]`), and tells the browser's own widgets. */
function paint(theme: Theme): void {
  themeChoice.value = theme;
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  root.classList.toggle('dark', prefersDark.value);
}

export const useSettingsStore = defineStore('settings', () => {
  const theme = ref<Theme>(cached());
  const error = ref<string | null>(null);
  paint(theme.value);
  watch(theme, paint);
  watch(prefersDark, () => paint(theme.value));

  /** Reads the stored preferences (the data folder's, which win over the cache). */
  async function load(): Promise<void> {
    try {
      const settings = await useApi().settings.get();
      theme.value = settings.theme;
      remember(settings.theme);
    } catch (e) {
      error.value = toApiError(e).message;
    }
  }

  async function setTheme(next: Theme): Promise<void> {
    theme.value = next;
    remember(next);
    try {
      await useApi().settings.update({ theme: next });
      error.value = null;
    } catch (e) {
      error.value = toApiError(e).message;
    }
  }

  return { theme, error, load, setTheme };
});

function remember(theme: Theme): void {
  try {
    globalThis.localStorage?.setItem(CACHE_KEY, theme);
  } catch {
    // A page without storage still has the data folder's copy.
  }
}
