import { geoNaturalEarth1, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { alpha2ToNumeric, numericToAlpha2 } from 'i18n-iso-countries';
import { useId, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json' with { type: 'json' };
import { words } from '../api.js';
import { countryName } from '../posts.js';
import { type Arrow, arrowMoves } from './map-navigation.js';

/** Natural Earth's country shapes (world-atlas, bundled: nothing is fetched at run time). */
const countries = feature(world as unknown as Topology, (world as unknown as Topology).objects.countries as GeometryCollection) as FeatureCollection;
const WIDTH = 900;
const HEIGHT = 460;
const path = geoPath(geoNaturalEarth1().fitSize([WIDTH, HEIGHT], countries));

/**
 * Where a country stands on the map, for the arrow keys: the centre of its largest part, so that
 * France is in Europe rather than between it and French Guiana.
 */
function centreOf(country: Feature): [number, number] {
  if (country.geometry.type !== 'MultiPolygon') return path.centroid(country);
  const parts: Polygon[] = country.geometry.coordinates.map((coordinates) => ({ type: 'Polygon', coordinates }));
  return path.centroid(parts.reduce((a, b) => (path.area(b) > path.area(a) ? b : a)));
}

/** Each shape drawn once: its outline, numeric id, ISO code, name in the atlas and centre. */
const SHAPES = countries.features.map((country) => {
  const numeric = String(Number(country.id));
  return { numeric, d: path(country) ?? '', alpha2: numericToAlpha2(numeric.padStart(3, '0')) ?? null, atlasName: (country.properties?.name as string | undefined) ?? '', centre: centreOf(country) };
});
type Shape = (typeof SHAPES)[number];

export const COLOURS: Record<string, string> = {
  SUPPORTIVE: '#1a7f37', RECEPTIVE: '#6fbf73', NONCOMMITTAL: '#d4a72c', OPPOSED: '#e16f24', REJECTED: '#b3261e',
  RESPONDED: '#8250df', DELIVERED: '#0969da', PENDING: '#8c959f', NOT_DELIVERED: '#24292f',
};

/** A country's colour and what its tooltip lists: each of its posts and where it stands. */
export interface CountryState { state: string; posts: { code: string; name: string; state: string }[] }

/** How long keys typed one after another make one name to find ("Ind" finds India). */
const TYPE_AHEAD_MS = 700;

/**
 * A world map, each country coloured by its state; choosing a country names it to `onChoose`.
 *
 * Chosen by mouse or keyboard: the countries with posts are buttons (named "China: rejected", their
 * tooltip listing the posts, `aria-pressed` on the chosen one), in the tab order as one stop (a
 * roving tabindex: the country last focused or chosen, whichever came last, else the first by
 * name: Tab comes back to where the user was), so that a hundred and more countries do not each
 * take a Tab; the arrow keys move to the nearest country that way, in such a way that every
 * country can be reached from every other (`arrowMoves`), Home and End to the first and last by
 * name, typing a name finds it, and Enter or Space chooses, as a click does. Countries with no post are drawn only, hidden from assistive technology.
 * The focus ring (drawn for the keyboard's focus, from the first key pressed after a click too) and
 * the chosen country's outline are drawn over every shape, so that no neighbour drawn later covers
 * them.
 */
export function WorldMap({ states, title, chosen = null, onChoose }: { states: Map<string, CountryState>; title: string; chosen?: string | null; onChoose?: (alpha2: string) => void }) {
  const hint = useId();
  const byNumeric = new Map<string, [string, CountryState]>();
  for (const [alpha2, state] of states) {
    const numeric = alpha2ToNumeric(alpha2);
    if (numeric) byNumeric.set(String(Number(numeric)), [alpha2, state]);
  }
  const codeOf = (shape: Shape) => byNumeric.get(shape.numeric)?.[0] ?? shape.alpha2;
  // The countries a keyboard reaches, by name as the list beside the map names them.
  const choosable = onChoose
    ? SHAPES.filter((shape) => byNumeric.has(shape.numeric) && codeOf(shape)).sort((a, b) => countryName(codeOf(a)).localeCompare(countryName(codeOf(b))))
    : [];
  const shapeOf = (alpha2: string | null) => choosable.find((shape) => codeOf(shape) === alpha2);
  // Where each arrow key leads, worked out once for each set of countries (see arrowMoves).
  const movesKey = choosable.map((shape) => shape.numeric).join();
  const moves = useMemo(() => arrowMoves(choosable), [movesKey]);

  /**
   * The country the map's one tab stop is on: the one last focused, or chosen (here or in the list
   * beside the map) since; `focused`, the one with the keyboard's focus (its ring drawn).
   */
  const [current, setCurrent] = useState<string | null>(null);
  const [focused, setFocused] = useState<string | null>(null);
  // A layout effect: applied as the choice renders, before the next key can move the stop on (a
  // deferred effect could land after it, and put the stop back on the chosen country).
  useLayoutEffect(() => {
    if (chosen) setCurrent(chosen);
  }, [chosen]);
  const stop = shapeOf(current) ?? shapeOf(chosen) ?? choosable[0];
  const elements = useRef(new Map<string, SVGPathElement>());
  const typed = useRef({ text: '', at: 0 });
  const moveTo = (shape: Shape | undefined) => {
    const code = shape && codeOf(shape);
    if (!code) return;
    setCurrent(code);
    elements.current.get(code)?.focus();
    setFocused(code); // moved by a key: the keyboard's focus, ringed whatever the focus event said
  };
  const onKeyDown = (event: KeyboardEvent, shape: Shape, code: string) => {
    // A key pressed on a country focused by a click makes the focus the keyboard's: it is ringed.
    setFocused(code);
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    // A space typed within a name being found ("Sri L") is part of it, else it chooses.
    const finding = typed.current.text !== '' && Date.now() - typed.current.at < TYPE_AHEAD_MS;
    // Any other key ends a name being typed: after an arrow, a letter starts a new one.
    if (event.key.length !== 1 || (event.key === ' ' && !finding)) typed.current = { text: '', at: 0 };
    if (event.key === 'Enter' || (event.key === ' ' && !finding)) onChoose?.(code);
    else if (event.key.startsWith('Arrow')) moveTo(moves.get(shape)?.[event.key as Arrow]);
    else if (event.key === 'Home') moveTo(choosable[0]);
    else if (event.key === 'End') moveTo(choosable[choosable.length - 1]);
    else if (event.key.length === 1) {
      // Keys typed one after another make a name to find, from the country with the focus on; one
      // key (or the same key again) moves on to the next name it starts, as in a list.
      const now = Date.now();
      const text = (now - typed.current.at < TYPE_AHEAD_MS ? typed.current.text : '') + event.key.toLowerCase();
      typed.current = { text, at: now };
      const again = [...text].every((c) => c === text[0]);
      const start = choosable.indexOf(shape) + (again ? 1 : 0);
      const prefix = again ? text[0] : text;
      moveTo([...choosable.slice(start), ...choosable.slice(0, start)].find((other) => countryName(codeOf(other)).toLowerCase().startsWith(prefix)));
    } else return;
    event.preventDefault();
  };

  const ring = (alpha2: string | null) => shapeOf(alpha2)?.d;
  return (
    <figure>
      <svg class="map" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="group" aria-label={title} aria-describedby={onChoose ? hint : undefined}>
        <title>{title}</title>
        {SHAPES.map((shape, index) => {
          const found = byNumeric.get(shape.numeric);
          const state = found?.[1];
          const tip = `${shape.atlasName}${state ? `: ${words(state.state)}` : ''}${state && state.posts.length ? ` — ${state.posts.map((p) => `${p.name}: ${words(p.state)}`).join('; ')}` : ''}`;
          const code = codeOf(shape);
          if (!state || !onChoose || !code) {
            return <path key={index} d={shape.d} fill={state ? COLOURS[state.state] : '#e1e4e8'} aria-hidden="true"><title>{tip}</title></path>;
          }
          return (
            <path
              key={index} d={shape.d} fill={COLOURS[state.state]} class="chosen-able"
              // `tabindex` as SVG spells it: an SVG element's attributes keep the case they are given.
              role="button" aria-label={`${countryName(code)}: ${words(state.state)}`} aria-pressed={chosen === code} tabindex={shape === stop ? 0 : -1}
              ref={(element) => { if (element) elements.current.set(code, element); else elements.current.delete(code); }}
              onClick={() => onChoose(code)} onKeyDown={(event) => onKeyDown(event, shape, code)}
              // The ring is for the keyboard's focus (as :focus-visible decides), not for a click;
              // a key pressed after a click draws it (onKeyDown).
              onFocus={(event) => { setCurrent(code); setFocused(event.currentTarget.matches(':focus-visible') ? code : null); }}
              onBlur={() => setFocused(null)}
            >
              <title>{tip}</title>
            </path>
          );
        })}
        {ring(chosen) && <path class="chosen-ring" d={ring(chosen)} aria-hidden="true" />}
        {ring(focused) && <path class="focus-ring-outer" d={ring(focused)} aria-hidden="true" />}
        {ring(focused) && <path class="focus-ring" d={ring(focused)} aria-hidden="true" />}
      </svg>
      <figcaption class="legend">{Object.entries(COLOURS).map(([state, colour]) => <span key={state}><i style={`background:${colour}`} />{words(state)}</span>)}</figcaption>
      {onChoose && <p id={hint} class="muted">On the map, Tab reaches the countries with posts; the arrow keys move between them, typing a name finds one, and Enter or Space lists its posts.</p>}
    </figure>
  );
}
