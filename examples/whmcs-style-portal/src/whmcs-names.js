// How WHMCS names things in its tables: languages in tblusers.language, clients in tblclients.

// WHMCS language names and the BCP 47 tags of the module's locales.
const LOCALES = { english: 'en', german: 'de', french: 'fr', spanish: 'es', dutch: 'nl', 'portuguese-br': 'pt-BR' };

/** The BCP 47 tag of a WHMCS language name (`german` → `de`); undefined for one without a locale. */
const localeOf = (language) => LOCALES[language];

/** The WHMCS language name of a BCP 47 tag (`de` → `german`); '' for one WHMCS does not name. */
const languageOf = (locale) => Object.keys(LOCALES).find((name) => LOCALES[name] === locale) ?? '';

/** The client's name as WHMCS shows it (company, else first and last name), in each dialect, as `{ sql }`. */
function nameSql(knex) {
  const mysql = /mysql/.test(knex.client.config.client);
  const fullName = mysql ? "CONCAT({a}.firstname, ' ', {a}.lastname)" : "{a}.firstname || ' ' || {a}.lastname";
  return { sql: `COALESCE(NULLIF({a}.companyname, ''), ${fullName})` };
}

module.exports = { localeOf, languageOf, nameSql };
