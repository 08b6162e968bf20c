export * from './inbox.query.js';
export * from './reporting.module.js';
export * from './dashboard.js';
export * from './dashboard.query.js';
