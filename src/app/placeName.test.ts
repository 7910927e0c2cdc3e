import { describe, expect, it } from 'vitest';
import { placeName } from './placeName';

describe('placeName', () => {
  it('names city, region and country, the country in the reader’s language', () => {
    const arezzo = { countryCode: 'IT', country: 'Italy', region: 'Tuscany', city: 'Arezzo' };
    expect(placeName(arezzo, ['en-GB'])).toBe('Arezzo, Tuscany, Italy');
    expect(placeName(arezzo, ['de'])).toBe('Arezzo, Tuscany, Italien');
  });

  it('says a region named like its city once, and leaves out what is not known', () => {
    expect(placeName({ countryCode: 'ES', country: 'Spain', region: 'Madrid', city: 'Madrid' }, ['en'])).toBe(
      'Madrid, Spain',
    );
    expect(placeName({ countryCode: 'LY', country: 'Libya', region: null, city: null }, ['en'])).toBe(
      'Libya',
    );
  });
});
