/** Shared statistics for joint government–court meetings (DOMAIN.md §7): definitions, periods, computation. */
export * from './definitions.js';
export * from './period.js';
export * from './compute.js';
