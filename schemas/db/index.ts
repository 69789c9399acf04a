export * from './senders.js';
export * from './deliveries.js';
export * from './blobs.js';
export * from './audit.js';
