import { describe, expect, it } from 'vitest';
import { readAtMost } from './read-bounded.js';

/** A Response whose body arrives in the given chunks; `cancelled` says whether the reader let it go. */
function chunked(sizes: number[]) {
  const state = { cancelled: false, pulled: 0 };
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i >= sizes.length) return c.close();
      state.pulled++;
      c.enqueue(Uint8Array.from({ length: sizes[i]! }, (_, k) => (i * 31 + k) & 0xff));
      i++;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { res: new Response(body), state };
}

describe('readAtMost', () => {
  it('reads a body within the bound whole, chunk by chunk', async () => {
    const { res, state } = chunked([3, 4, 5]);
    const r = await readAtMost(res, 12);
    expect(r.more).toBe(false);
    expect(r.bytes).toHaveLength(12);
    expect(state.cancelled).toBe(false);
  });

  it('stops at the bound inside a chunk, says there was more, and reads no further', async () => {
    const { res, state } = chunked([3, 4, 5, 1000, 1000]);
    const r = await readAtMost(res, 10);
    expect(r).toMatchObject({ more: true });
    expect(Array.from(r.bytes)).toEqual([0, 1, 2, 31, 32, 33, 34, 62, 63, 64]);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBe(3);
  });

  it('an empty body is empty', async () => {
    expect(await readAtMost(new Response(null), 10)).toEqual({ bytes: new Uint8Array(0), more: false });
  });
});
