/** Shared statistics for joint government–court meetings (docs/domain.md §7): definitions, periods, computation. */
export * from './definitions.js';
export * from './period.js';
export * from './compute.js';
