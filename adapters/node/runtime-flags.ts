/**
 * The V8 flags the gateway process runs with. `npm start` passes them (package.json "start"), and so does every
 * bench and test that starts the gateway as a process, so that what they measure is what operators run.
 * test/newcomer.test.ts checks that package.json passes them.
 *
 * --max-semi-space-size=32 (MB): V8's young generation. A delivery allocates some hundreds of KB of short-lived
 * objects (parsed envelopes, statements, row commitments, signatures). With V8's default here (16 MB, the new space
 * growing to 32 MB), the gateway ran a scavenge about every 90 ms at peak, on the event loop and on V8's helper
 * threads. Twice the room halves the scavenges: the GC's time on the event loop at peak went from 167–195 to
 * 77–119 ms per 5 s. Back to back in `npm run bench -- intake`, server CPU per delivery fell from 8.48 to 8.06 ms
 * and from 7.73 to 6.90 ms, and throughput rose by 5 to 7 %. It costs at most 32 MB more of memory.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=32'];
