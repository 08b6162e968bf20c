import { geoNaturalEarth1, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection } from 'geojson';
import { alpha2ToNumeric, numericToAlpha2 } from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json' with { type: 'json' };
import { words } from '../api.js';

/** Natural Earth's country shapes (world-atlas, bundled: nothing is fetched at run time). */
const countries = feature(world as unknown as Topology, (world as unknown as Topology).objects.countries as GeometryCollection) as FeatureCollection;
const WIDTH = 900;
const HEIGHT = 460;
const path = geoPath(geoNaturalEarth1().fitSize([WIDTH, HEIGHT], countries));

export const COLOURS: Record<string, string> = {
  SUPPORTIVE: '#1a7f37', RECEPTIVE: '#6fbf73', NONCOMMITTAL: '#d4a72c', OPPOSED: '#e16f24', REJECTED: '#b3261e',
  RESPONDED: '#8250df', DELIVERED: '#0969da', PENDING: '#8c959f', NOT_DELIVERED: '#24292f',
};

/** A country's colour and what its tooltip lists: each of its posts and where it stands. */
export interface CountryState { state: string; posts: { code: string; name: string; state: string }[] }

/** A world map, each country coloured by its state; choosing a country (click) names it to `onChoose`. */
export function WorldMap({ states, title, onChoose }: { states: Map<string, CountryState>; title: string; onChoose?: (alpha2: string) => void }) {
  const byNumeric = new Map<string, [string, CountryState]>();
  for (const [alpha2, state] of states) {
    const numeric = alpha2ToNumeric(alpha2);
    if (numeric) byNumeric.set(String(Number(numeric)), [alpha2, state]);
  }
  return (
    <figure>
      <svg class="map" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <title>{title}</title>
        {countries.features.map((country: Feature) => {
          const found = byNumeric.get(String(Number(country.id)));
          const state = found?.[1];
          const tip = `${country.properties?.name ?? ''}${state ? `: ${words(state.state)}` : ''}${state && state.posts.length ? ` — ${state.posts.map((p) => `${p.name}: ${words(p.state)}`).join('; ')}` : ''}`;
          const alpha2 = found?.[0] ?? numericToAlpha2(String(country.id).padStart(3, '0'));
          return (
            <path key={String(country.id)} d={path(country) ?? ''} fill={state ? COLOURS[state.state] : '#e1e4e8'} class={state && onChoose ? 'chosen-able' : undefined} onClick={state && onChoose && alpha2 ? () => onChoose(alpha2) : undefined}>
              <title>{tip}</title>
            </path>
          );
        })}
      </svg>
      <figcaption class="legend">{Object.entries(COLOURS).map(([state, colour]) => <span key={state}><i style={`background:${colour}`} />{words(state)}</span>)}</figcaption>
    </figure>
  );
}
