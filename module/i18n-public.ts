/**
 * The module's translations and formatting, for a host that shows the module's words on its own
 * pages (menu labels, permission labels), adds its own pages' strings (addHostCatalogue) and
 * language overrides, and translates everything with one translator.
 */
export {
  translate,
  translator,
  availableLocales,
  defaultLocale,
  setDefaultLocale,
  nativeName,
  hasKey,
  addHostCatalogue,
  addOverrideDir,
  clearOverrides,
  resolveLocale,
  visitorLocale,
  formatDate,
  formatDateTime,
  intl,
  type Translate,
} from './i18n';
