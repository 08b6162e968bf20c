// What other domains may import: plain vocabulary and rules, nothing of Nest or a database.
export * from './access.js';
export * from './policy.js';
