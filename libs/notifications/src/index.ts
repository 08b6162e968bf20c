export * from './domain/notification-rules.js';
export * from './domain/notification-inbox.aggregate.js';
export * from './notifications.query.js';
export * from './notifications.service.js';
export * from './mail/mail-sender.js';
export * from './notifications.module.js';
