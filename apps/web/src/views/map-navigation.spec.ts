import fc from 'fast-check';
import { type Arrow, arrowMoves, everyReachesEvery, type Placed } from './map-navigation.js';

const place = (name: string, x: number, y: number) => ({ name, centre: [x, y] as [number, number] });
const to = (moves: ReturnType<typeof arrowMoves<Placed & { name: string }>>, from: Placed & { name: string }, arrow: Arrow) => moves.get(from)?.[arrow]?.name;

describe('where the map\'s arrow keys lead', () => {
  it('moves to the nearest country that way, a country well aside counting as further', () => {
    // Roughly China, Korea, Japan, Australia and India on the map's plane.
    const [china, korea, japan, australia, india] = [place('China', 700, 150), place('Korea', 760, 145), place('Japan', 800, 150), place('Australia', 780, 330), place('India', 620, 200)];
    const moves = arrowMoves([china, korea, japan, australia, india]);
    expect(to(moves, china, 'ArrowRight')).toBe('Korea');
    expect(to(moves, korea, 'ArrowRight')).toBe('Japan');
    expect(to(moves, china, 'ArrowLeft')).toBe('India');
    expect(to(moves, china, 'ArrowDown')).toBe('India');
    expect(to(moves, japan, 'ArrowDown')).toBe('Australia');
    // Nothing lies east of Japan.
    expect(to(moves, japan, 'ArrowRight')).toBeUndefined();
  });

  it('reaches every country from every other, whatever countries a campaign tasks', () => {
    // Countries stand at distinct points of the 900 × 460 map.
    const places = fc.uniqueArray(fc.record({ centre: fc.tuple(fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 460 })) }), { minLength: 1, maxLength: 60, selector: (p) => p.centre.join() });
    fc.assert(fc.property(places, (set) => everyReachesEvery(set, arrowMoves(set))), { numRuns: 2_000 });
  });

  it('tells a map whose arrows leave a country out from one whose arrows reach them all', () => {
    const [a, b, c] = [place('A', 0, 0), place('B', 10, 0), place('C', 20, 0)];
    // Right and Left along a row reach every one...
    expect(everyReachesEvery([a, b, c], new Map([[a, { ArrowRight: b }], [b, { ArrowRight: c, ArrowLeft: a }], [c, { ArrowLeft: b }]]))).toBe(true);
    // ...but not if Left from C skips B and nothing leads back to B.
    expect(everyReachesEvery([a, b, c], new Map([[a, { ArrowRight: c }], [b, { ArrowRight: c }], [c, { ArrowLeft: a }]]))).toBe(false);
  });
});
