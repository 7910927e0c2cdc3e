/**
 * The countries' borders for the map (issue 17), from world-atlas's TopoJSON (Natural Earth, made
 * for d3's spherical projections, which cut rings at the antimeridian themselves). Leaflet draws
 * in the plane: a ring that steps from 179.9° to −179.9° east (Russia's Chukotka, Fiji) would be
 * drawn as a line across the whole world, so each ring is made continuous past ±180° instead.
 * Antarctica's ring runs around the pole, which no plane map can draw as a polygon: it is left
 * out (a photo taken there still shows on the map, over the sea's colour).
 */
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';

const ANTARCTICA = '010';

/** The ring with each step over half the world taken the short way round instead. */
export function continuousRing(ring: readonly Position[]): Position[] {
  let shift = 0;
  let previous: number | null = null;
  return ring.map(([longitude = 0, latitude = 0]) => {
    if (previous !== null) {
      const step = longitude + shift - previous;
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    previous = longitude + shift;
    return [longitude + shift, latitude];
  });
}

function continuous(geometry: Geometry): Geometry {
  switch (geometry.type) {
    case 'Polygon':
      return { ...geometry, coordinates: geometry.coordinates.map(continuousRing) };
    case 'MultiPolygon':
      return { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(continuousRing)) };
    default:
      return geometry;
  }
}

export function planarBorders(countries: FeatureCollection): FeatureCollection {
  return {
    ...countries,
    features: countries.features
      .filter((country) => String(country.id) !== ANTARCTICA)
      .map((country): Feature => ({ ...country, geometry: continuous(country.geometry) })),
  };
}
