export * from './errors.js';
export * from './command-context.js';
export * from './rules.js';
export * from './clock.js';
export * from './backoff.js';
export * from './csv.js';
export * from './alarm.js';
export * from './calendar-date.js';
