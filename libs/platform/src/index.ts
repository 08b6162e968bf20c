export * from './platform.module.js';
export * from './domain.modules.js';
export * from './operations/redrive-projection.js';
