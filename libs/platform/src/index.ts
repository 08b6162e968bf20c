export * from './platform.module.js';
export * from './domain.modules.js';
