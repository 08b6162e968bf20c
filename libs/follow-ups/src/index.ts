export * from './domain/follow-up.aggregate.js';
export * from './follow-ups.query.js';
export * from './commands/follow-up.commands.js';
export * from './commands/follow-up.handlers.js';
export * from './commands/follow-up-answers.js';
export * from './follow-ups.module.js';
export * from './follow-up-reader.js';
export * from './follow-up-marking-repair.js';
