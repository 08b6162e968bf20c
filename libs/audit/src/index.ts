export * from './audit-entry.js';
export * from './audit-log.js';
export * from './audit-sealer.js';
export * from './audit-signer.js';
export * from './audit.module.js';
export * from './merkle.js';
