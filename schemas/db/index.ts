export * from './senders.js';
export * from './deliveries.js';
export * from './blobs.js';
export * from './audit.js';
export * from './directory.js';
export * from './cases.js';
export * from './deadlines.js';
export * from './outbox.js';
