/**
 * The demo directory: Quzhou's Kecheng (330802) and Qujiang (330803) districts, the Longyou court that hears
 * both from 2021-04-08 [Q 一(一)], the former district courts, the intermediate court and a procuratorate.
 * Data: schemas/directory/demo-quzhou.json (validated by DirectoryFile on first use).
 */
import data from '../../../schemas/directory/demo-quzhou.json' with { type: 'json' };
import type { DirectoryData, DirectoryIndex } from './directory.js';
import { loadDirectory } from './directory-file.js';

/** The raw JSON (unvalidated; use demoDirectory() for the checked index). */
export const DEMO_DIRECTORY_DATA: unknown = data;

let cached: DirectoryIndex | undefined;

/** The demo directory, validated and indexed once (the data is immutable, so the index is shared). */
export function demoDirectory(): DirectoryIndex {
  cached ??= loadDirectory(data, 'schemas/directory/demo-quzhou.json');
  return cached;
}

/** The validated demo data, e.g. to build a variant directory in a test. */
export function demoDirectoryData(): DirectoryData {
  return demoDirectory().data;
}
