// What domain code may import: aggregates and events, nothing that touches Nest's DI or a database.
export * from './aggregate/event-sourced.aggregate.js';
