/**
 * A parse or validation failure found below the routes (a period string, a date out of range, a string the
 * JSON canonicaliser refuses): the caller's input is wrong, so it becomes a 400 wherever it is thrown
 * (src/lib/problem.ts toProblem). Domain and library code, which knows nothing of requests, throws this
 * rather than a Problem. No imports: the pure domain may use it.
 */
export class InvalidInput extends Error {
  override readonly name: string = 'InvalidInput';
}
