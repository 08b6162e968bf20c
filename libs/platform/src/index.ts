export * from './platform.module.js';
export * from './domain.modules.js';
export * from './json-logger.js';
