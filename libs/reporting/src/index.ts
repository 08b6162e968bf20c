export * from './inbox.query.js';
export * from './reporting.module.js';
