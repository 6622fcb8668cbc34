import { createI18n } from 'vue-i18n';
import { en, zh, type Messages } from './messages.js';

export const LOCALES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type Locale = (typeof LOCALES)[number]['code'];

export function initialLocale(nav: { languages?: readonly string[] } | undefined = globalThis.navigator): Locale {
  return nav?.languages?.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function makeI18n(locale: Locale = initialLocale()) {
  return createI18n<[Messages], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, 'zh-CN': zh },
    missingWarn: false,
    fallbackWarn: false,
  });
}
