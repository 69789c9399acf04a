/**
 * The real gateway process for a bench (adapters/node/main.ts, `npm start`'s entry, embedded libSQL file), on
 * loopback with a port of its own: started with the given environment, its URL read from its listening log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '../adapters/node/runtime-flags.js';
import { round } from './types.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));

export interface BenchGateway {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:43143 */
  base: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Start the gateway with `env` on top of this process's environment (PORT 0, info log, no sweep timer).
 * BENCH_SERVER_NODE_ARGS: extra node flags for the gateway process only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
export async function startGateway(env: Record<string, string>): Promise<BenchGateway> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...nodeArgs, '--import', 'tsx', join(REPO, 'adapters/node/main.ts')], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', SWEEP_INTERVAL_SECONDS: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      let found = false;
      // The log is read until the listening line, then drained (a full pipe would stall the server).
      child.stdout!.on('data', (b: Buffer) => {
        if (found) return;
        out += b.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          found = true;
          resolve(m[1]!);
        }
      });
      child.on('exit', (c) => reject(new Error(`gateway exited ${c}`)));
    });
    return { child, base, port: Number(new URL(base).port), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A process's resident memory in MB (Linux /proc). */
export const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 0) : NaN;
};

/** The CPU (user + system) the process has spent, in ms (Linux /proc/<pid>/stat, ticks of 1/100 s). */
export const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
