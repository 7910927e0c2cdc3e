import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { describe, expect, it } from 'vitest';
import world from 'world-atlas/countries-110m.json';
import { continuousRing, planarBorders } from './mapBorders';

describe('planarBorders', () => {
  it('takes a step across the antimeridian the short way round', () => {
    expect(
      continuousRing([
        [179, 65],
        [-179, 66],
        [-170, 67],
        [179.5, 64],
        [179, 65],
      ]),
    ).toEqual([
      [179, 65],
      [181, 66],
      [190, 67],
      [179.5, 64],
      [179, 65],
    ]);
    expect(
      continuousRing([
        [-179, 1],
        [179, 2],
        [-179, 1],
      ]),
    ).toEqual([
      [-179, 1],
      [-181, 2],
      [-179, 1],
    ]);
  });

  it('leaves no ring of the world atlas with a step over half the world, and drops Antarctica', () => {
    const topology = world as unknown as Topology<{ countries: GeometryCollection }>;
    const countries = feature(topology, topology.objects.countries);
    const borders = planarBorders(countries);
    expect(borders.features).toHaveLength(countries.features.length - 1);
    let widest = 0;
    for (const country of borders.features) {
      const geometry = country.geometry;
      const polygons =
        geometry.type === 'Polygon'
          ? [geometry.coordinates]
          : geometry.type === 'MultiPolygon'
            ? geometry.coordinates
            : [];
      for (const ring of polygons.flat()) {
        for (let i = 1; i < ring.length; i++) {
          widest = Math.max(widest, Math.abs((ring[i]?.[0] ?? 0) - (ring[i - 1]?.[0] ?? 0)));
        }
      }
    }
    expect(widest).toBeLessThan(180);
  });
});
