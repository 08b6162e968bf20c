export * from './embedded-postgres.js';
export * from './data-source.js';
export * from './database.module.js';
export * from './sql.js';
export * from './pool-connections.js';
export * from './test-database.js';
export * from './data-repair.js';
export * from './while-busy.js';
