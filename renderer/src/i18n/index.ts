import { createI18n, useI18n } from 'vue-i18n';
import type { TrickId } from '../../../shared/index.js';
import { LESSONS_ZH, TEXT_ZH, TRICKS_ZH } from './shared-zh.js';
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

/**
 * Texts that arrive as data from shared/ (trick descriptors, parameters, presets), in the page's language:
 * English as shared/ states them, Simplified Chinese from shared-zh.ts.
 */
export function useSharedText() {
  const { locale } = useI18n();
  const zh = () => locale.value === 'zh-CN';
  return {
    trickLabel: (trick: { id: string; label: string }) => (zh() ? (TRICKS_ZH[trick.id as TrickId]?.label ?? trick.label) : trick.label),
    trickSummary: (trick: { id: string; summary: string }) =>
      zh() ? (TRICKS_ZH[trick.id as TrickId]?.summary ?? trick.summary) : trick.summary,
    text: (english: string) => (zh() ? (TEXT_ZH[english] ?? english) : english),
    lessonTitle: (lesson: { id: string; title: string }) => (zh() ? (LESSONS_ZH[lesson.id]?.title ?? lesson.title) : lesson.title),
    lessonClaim: (lesson: { id: string; claim: string }) => (zh() ? (LESSONS_ZH[lesson.id]?.claim ?? lesson.claim) : lesson.claim),
  };
}
