export * from './platform.module.js';
export * from './domain.modules.js';
export * from './readiness.js';
export * from './shutdown-deadline.js';
export * from './in-flight-requests.js';
export * from './json-logger.js';
export * from './operations/redrive-projection.js';
