export * from './environment.js';
export * from './config.module.js';
export * from './listen-host.js';
