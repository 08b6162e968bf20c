// What other domains may import: plain vocabulary and rules, nothing of Nest or a database.
export * from './access.js';
export * from './policy.js';
export * from './need-to-know.js';
