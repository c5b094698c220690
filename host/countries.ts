import codes from './countries.json';

/** ISO 3166-1 alpha-2 codes of the countries in use (249): the only values a profile's country may take. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(codes);
