/**
 * The module's translations and formatting, for a host that shows the module's words on its own
 * pages (menu labels, permission labels) or shares its catalogue and language overrides.
 */
export {
  translate,
  translator,
  availableLocales,
  defaultLocale,
  setDefaultLocale,
  nativeName,
  hasKey,
  addOverrideDir,
  clearOverrides,
  resolveLocale,
  visitorLocale,
  formatDate,
  formatDateTime,
  intl,
  type Translate,
} from './i18n';
