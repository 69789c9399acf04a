/**
 * The one way an entry point (adapters/node, adapters/workers, the tests and benchmarks) turns its ports into Deps:
 * the writer is made from the database, key and clock ports, and the process state starts empty.
 */
import type { Deps, Ports } from './deps.js';
import { createProcessState } from './lib/process-state.js';
import { createWriter } from './writer/writer.js';

export function createDeps(ports: Ports): Deps {
  return { ...ports, writer: createWriter(ports), state: createProcessState() };
}
