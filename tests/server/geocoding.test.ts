/**
 * Offline reverse geocoding (issue 17) of the corpus's geotagged files. Their coordinates (read
 * from the files: MANIFEST.tsv's notes say which carry GPS) were looked up by hand on a map once:
 * DSCN0010 is in the centre of Arezzo; the Pixel photo and the 1×1 PNG (the same coordinates) in
 * Benátky nad Jizerou, Central Bohemia; the iPhone 11 HEIC 4 km north of Blue Springs, Missouri;
 * the Nexus 4 photo in Stoke Newington and the Android video by Crystal Palace, both London; the
 * iPhone 6 photo at Madrid's Ciudad Universitaria; the iPhone MOV in Petah Tikva, Israel, whose
 * GeoNames name is "Petaẖ Tiqwa".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readMetadata } from '../../src/server/imaging';
import { loadGeocoder, type Place, type ReverseGeocoder } from '../../src/server/places/geocoder';
import { sniff } from '../../src/shared/sniff';
import { corpusFile, readCorpusFile } from './helpers';

const EXPECTED: Record<string, Place> = {
  'DSCN0010.jpg': { countryCode: 'IT', country: 'Italy', region: 'Tuscany', city: 'Arezzo' },
  'IMG_20180725_163423.jpg': {
    countryCode: 'CZ',
    country: 'Czechia',
    region: 'Central Bohemia',
    city: 'Benátky nad Jizerou',
  },
  'png_with_exif_and_gps.png': {
    countryCode: 'CZ',
    country: 'Czechia',
    region: 'Central Bohemia',
    city: 'Benátky nad Jizerou',
  },
  'IMG_5195.HEIC': { countryCode: 'US', country: 'United States', region: 'Missouri', city: 'Blue Springs' },
  'Nexus 4.jpg': { countryCode: 'GB', country: 'United Kingdom', region: 'England', city: 'London' },
  'with-gps.mp4': { countryCode: 'GB', country: 'United Kingdom', region: 'England', city: 'London' },
  'iphone_hdr_YES.jpg': { countryCode: 'ES', country: 'Spain', region: 'Madrid', city: 'Madrid' },
  'with-gps.mov': { countryCode: 'IL', country: 'Israel', region: 'Central District', city: 'Petaẖ Tiqwa' },
};

let geocoder: ReverseGeocoder;

beforeAll(async () => {
  geocoder = await loadGeocoder();
});

describe('reverse geocoding the corpus', () => {
  it.each(Object.entries(EXPECTED))('places %s', async (file, place) => {
    const bytes = await readCorpusFile(file);
    const type = sniff(bytes.subarray(0, 512));
    if (type === null) throw new Error(`${file} is not a known type`);
    const metadata = await readMetadata(corpusFile(file).path, type.mimeType);
    if (metadata.gps === null) throw new Error(`${file} has no GPS position`);
    expect(geocoder.lookup(metadata.gps.latitude, metadata.gps.longitude)).toEqual(place);
  });
});

describe('places near borders and away from towns', () => {
  it.each([
    // The nearest town is across the river (and the border) for the first of each pair.
    ['Detroit’s Renaissance Center', 42.3293, -83.0398, 'US', 'Detroit'],
    ['Windsor’s riverside', 42.3149, -83.0364, 'CA', 'Windsor'],
    ['the Rhine’s French bank', 48.569, 7.796, 'FR', 'Strasbourg'],
    ['the Rhine’s German bank', 48.57, 7.806, 'DE', 'Kehl'],
    ['Kreuzlingen', 47.645, 9.175, 'CH', 'Kreuzlingen'],
    ['Konstanz', 47.66, 9.175, 'DE', 'Konstanz'],
    ['Geneva airport', 46.2381, 6.109, 'CH', 'Genève'],
    ['Ferney-Voltaire', 46.256, 6.108, 'FR', 'Ferney-Voltaire'],
    ['El Paso', 31.7619, -106.485, 'US', 'El Paso'],
    ['Ciudad Juárez', 31.7202, -106.4608, 'MX', 'Juárez'],
    ['Times Square (a city, not its district)', 40.758, -73.9855, 'US', 'New York City'],
    ['Nice, from a boat in the bay', 43.695, 7.27, 'FR', 'Nice'],
  ])('%s', (_name, latitude, longitude, countryCode, city) => {
    expect(geocoder.lookup(latitude, longitude)).toMatchObject({ countryCode, city });
  });

  it('gives the country and its region without a town nearby, and nothing at 0,0 or off the globe', () => {
    expect(geocoder.lookup(23.5, 12.5)).toEqual({
      countryCode: 'LY',
      country: 'Libya',
      region: null,
      city: null,
    });
    expect(geocoder.lookup(0, 0)).toBeNull();
    expect(geocoder.lookup(91, 10)).toBeNull();
    expect(geocoder.lookup(Number.NaN, 10)).toBeNull();
  });
});
