/** A point on the map: where a country stands for the arrow keys (the centre of its largest part). */
export interface Placed {
  centre: [number, number];
}

export type Arrow = 'ArrowRight' | 'ArrowLeft' | 'ArrowDown' | 'ArrowUp';
const DIRECTIONS: Record<Arrow, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
const ARROWS = Object.keys(DIRECTIONS) as Arrow[];

/** Where each arrow key leads from each place (absent: nothing lies that way). */
export type Moves<T> = Map<T, Partial<Record<Arrow, T>>>;

/**
 * How far to the side counts against a country ahead, tried in this order: the first weight under
 * which every country can be reached from every other is the one used. Two makes Right from China
 * Korea, not Australia, and suits most maps; the others fix the rare set of countries where some
 * country is never the nearest one any way from anywhere.
 */
const ASIDE_WEIGHTS = [2, 1, 3, 0.5, 4, 6, 8];

/**
 * Where the arrow keys lead on a map of `places`: to the nearest place in that direction (the least
 * distance ahead plus a weight times the distance aside), with the first weight of ASIDE_WEIGHTS
 * under which every place reaches every other. Should none do (never seen on Natural Earth's
 * countries, but a set of places is the campaign's to choose), Right and Left step through the
 * places from west to east and Down and Up from north to south, which reaches every one.
 */
export function arrowMoves<T extends Placed>(places: readonly T[]): Moves<T> {
  for (const weight of ASIDE_WEIGHTS) {
    const moves = nearestMoves(places, weight);
    if (everyReachesEvery(places, moves)) return moves;
  }
  return orderMoves(places);
}

function nearestMoves<T extends Placed>(places: readonly T[], weight: number): Moves<T> {
  const moves: Moves<T> = new Map();
  for (const from of places) {
    const ways: Partial<Record<Arrow, T>> = {};
    for (const arrow of ARROWS) {
      const [x, y] = DIRECTIONS[arrow];
      let bestScore = Infinity;
      for (const other of places) {
        const dx = other.centre[0] - from.centre[0];
        const dy = other.centre[1] - from.centre[1];
        const ahead = dx * x + dy * y;
        if (other === from || ahead <= 0) continue;
        const score = ahead + weight * Math.abs(dx * y - dy * x);
        if (score < bestScore) [ways[arrow], bestScore] = [other, score];
      }
    }
    moves.set(from, ways);
  }
  return moves;
}

/** Every place reaches every other: all are reached from the first, and the first from all. */
export function everyReachesEvery<T>(places: readonly T[], moves: Moves<T>): boolean {
  if (places.length < 2) return true;
  const reached = (next: (place: T) => T[]) => {
    const seen = new Set([places[0]]);
    const queue = [places[0]];
    while (queue.length > 0) {
      for (const place of next(queue.pop()!)) {
        if (!seen.has(place)) {
          seen.add(place);
          queue.push(place);
        }
      }
    }
    return seen.size === places.length;
  };
  const forward = (place: T) => Object.values(moves.get(place) ?? {}) as T[];
  const backward = new Map<T, T[]>(places.map((place) => [place, []]));
  for (const place of places) for (const to of forward(place)) backward.get(to)?.push(place);
  return reached(forward) && reached((place) => backward.get(place) ?? []);
}

function orderMoves<T extends Placed>(places: readonly T[]): Moves<T> {
  const byX = [...places].sort((a, b) => a.centre[0] - b.centre[0] || a.centre[1] - b.centre[1]);
  const byY = [...places].sort((a, b) => a.centre[1] - b.centre[1] || a.centre[0] - b.centre[0]);
  const moves: Moves<T> = new Map(places.map((place) => [place, {}]));
  const link = (order: T[], forward: Arrow, back: Arrow) =>
    order.forEach((place, i) => {
      if (i > 0) moves.get(place)![back] = order[i - 1];
      if (i < order.length - 1) moves.get(place)![forward] = order[i + 1];
    });
  link(byX, 'ArrowRight', 'ArrowLeft');
  link(byY, 'ArrowDown', 'ArrowUp');
  return moves;
}
