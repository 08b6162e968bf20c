export * from './domain/campaign.aggregate.js';
export * from './domain/delivery.aggregate.js';
export * from './domain/summary.js';
export * from './demarches.query.js';
export * from './campaign-opener.js';
export * from './commands/record-delivery.command.js';
export * from './demarches.module.js';
export * from './overdue-scheduler.js';
