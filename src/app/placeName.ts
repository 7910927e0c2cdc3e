import type { AssetPlace } from '../shared/api';

/**
 * "Arezzo, Tuscany, Italy": the place as people say it, the country named in the reader's
 * language from its code (the server's English name where the browser has none). A region that
 * repeats the city's name ("Madrid, Madrid") is said once.
 */
export function placeName(place: AssetPlace, locales: readonly string[] = navigator.languages): string {
  let country = place.country;
  try {
    country = new Intl.DisplayNames([...locales, 'en'], { type: 'region' }).of(place.countryCode) ?? country;
  } catch (error) {
    // A malformed locale or an unknown code: the server's name stands.
    if (!(error instanceof RangeError)) throw error;
  }
  const parts = [place.city, place.region === place.city ? null : place.region, country];
  return parts.filter((part): part is string => part !== null && part !== '').join(', ');
}
