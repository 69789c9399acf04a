/**
 * Process-local state (a Node process, or a Workers isolate): caches and counters that live as long as the process
 * does. Each module that keeps such state declares its own typed slot, with the factory that makes its first value,
 * next to the code that uses it; the entry point only creates the empty container (createProcessState). So the port
 * file (src/deps.ts) names no module's internals, and no slot is filled "by whichever module touches it first".
 */
export interface Slot<T> {
  readonly name: string;
  readonly init: () => T;
}

/** Declare a slot: its name (for debugging) and how its first value is made. */
export const slot = <T>(name: string, init: () => T): Slot<T> => Object.freeze({ name, init });

export interface ProcessState {
  /** The slot's value, made by its init on first use. */
  get<T>(s: Slot<T>): T;
  /** Forget the slot's value: the next get makes a new one. */
  reset(s: Slot<unknown>): void;
}

export function createProcessState(): ProcessState {
  const values = new Map<Slot<unknown>, unknown>();
  return {
    get<T>(s: Slot<T>): T {
      if (!values.has(s)) values.set(s, s.init());
      return values.get(s) as T;
    },
    reset(s) {
      values.delete(s);
    },
  };
}
