// The /healthz prober of bench/overload, in a worker thread of its own (bench/overload/index.ts starts it).
// Plain JavaScript, so it runs the same under tsx and node.
//
// Why a thread of its own: the load generator's event loop runs eight clients and builds and signs each delivery's
// body. A probe on that loop is timed from when it was sent to when THAT loop got round to its answer, so its
// latency includes the load generator's own waits. Measured on the 2-core machine, peak-only runs, probes on both at
// once: p99 24.0 and 16.9 ms on the load generator's loop, 13.0 and 14.6 ms on a loop of its own.
//
// workerData: { base, everyMs }. Posts 'ready' after one untimed probe (the thread's first fetch loads undici and
// opens a connection), then probes every everyMs until it is sent 'stop', and posts the latencies in ms (a probe
// that fails or takes 30 s counts as 30 000).
import { parentPort, workerData } from 'node:worker_threads';

const { base, everyMs } = workerData;
let on = true;
parentPort.on('message', (m) => {
  if (m === 'stop') on = false;
});
const probe = async () => {
  const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(30_000) });
  await r.arrayBuffer();
};
await probe().catch(() => undefined);
parentPort.postMessage('ready');
const lat = [];
while (on) {
  const t = performance.now();
  try {
    await probe();
    lat.push(performance.now() - t);
  } catch {
    lat.push(30_000);
  }
  await new Promise((r) => setTimeout(r, everyMs));
}
parentPort.postMessage(lat);
