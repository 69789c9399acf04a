// One flooding peer of bench/flood, in a process of its own (each process may open only so many files): opens
// `count` connections to 127.0.0.1:`port` from `localAddress` and keeps them open, never finishing a request.
// mode "idle": half a request's headers on each. mode "body": a POST to `path` announcing `bytes` and sending all
// of them but the last. Prints "opened <n> refused <m>" once every connection has been tried and its fate is known
// (a refused connection is one the gateway closed or reset), then holds them until killed.
import { connect } from 'node:net';

const [port, localAddress, count, mode, path, bytes] = process.argv.slice(2);
const n = Number(count);
const body = mode === 'body' ? Buffer.alloc(Number(bytes) - 1, 'a') : null;
let settled = 0;
let refused = 0;
const sockets = [];
const done = () => {
  if (++settled === n) process.stdout.write(`opened ${n - refused} refused ${refused}\n`);
};
for (let i = 0; i < n; i++) {
  const s = connect({ port: Number(port), host: '127.0.0.1', localAddress });
  let fate = false;
  const decide = (closed) => {
    if (fate) return;
    fate = true;
    if (closed) refused++;
    done();
  };
  s.on('connect', () => {
    if (body) {
      s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${bytes}\r\n\r\n`);
      s.write(body);
    } else s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    // Held for 2 s with nothing back: it is open (a refused one is closed, or answered 4xx/5xx and closed, at once).
    setTimeout(() => decide(false), 2000);
  });
  s.on('data', () => decide(true));
  s.on('error', () => decide(true));
  s.on('close', () => decide(true));
  sockets.push(s);
  // A few hundred at a time: the listen backlog is finite.
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
}
