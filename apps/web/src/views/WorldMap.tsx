import { geoNaturalEarth1, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection } from 'geojson';
import { alpha2ToNumeric } from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json' with { type: 'json' };

/** Natural Earth's country shapes (world-atlas, bundled: nothing is fetched at run time). */
const countries = feature(world as unknown as Topology, (world as unknown as Topology).objects.countries as GeometryCollection) as FeatureCollection;
const WIDTH = 900;
const HEIGHT = 460;
const path = geoPath(geoNaturalEarth1().fitSize([WIDTH, HEIGHT], countries));

export const COLOURS: Record<string, string> = {
  SUPPORTIVE: '#1a7f37', RECEPTIVE: '#6fbf73', NONCOMMITTAL: '#d4a72c', OPPOSED: '#e16f24', REJECTED: '#b3261e',
  RESPONDED: '#8250df', DELIVERED: '#0969da', PENDING: '#8c959f', NOT_DELIVERED: '#24292f',
};

/** A world map with each post's country coloured by what `stateOf` says for it (a position or status). */
export function WorldMap({ states, title }: { states: Map<string, string>; title: string }) {
  const byNumeric = new Map<string, string>();
  for (const [alpha2, state] of states) {
    const numeric = alpha2ToNumeric(alpha2);
    if (numeric) byNumeric.set(String(Number(numeric)), state);
  }
  return (
    <figure>
      <svg class="map" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <title>{title}</title>
        {countries.features.map((country: Feature) => {
          const state = byNumeric.get(String(Number(country.id)));
          return <path key={String(country.id)} d={path(country) ?? ''} fill={state ? COLOURS[state] : '#e1e4e8'}><title>{`${country.properties?.name ?? ''}${state ? `: ${state}` : ''}`}</title></path>;
        })}
      </svg>
      <figcaption class="legend">{Object.entries(COLOURS).map(([state, colour]) => <span key={state}><i style={`background:${colour}`} />{state.replace('_', ' ').toLowerCase()}</span>)}</figcaption>
    </figure>
  );
}
