// The cable domain: drafting rules and the cable's lifecycle. The HTTP routes, MRN allocation,
// telegram rendering and search come on top of it.
export * from './domain/cable-format.js';
export * from './domain/cable.aggregate.js';
