/**
 * The browser the page tests drive: Chromium from the npm package @sparticuz/chromium (a devDependency, so
 * `npm ci` brings it), unpacked once per machine into the system temp dir; or a browser of your own with
 * CHROME_PATH=/path/to/chrome. Launched by playwright-core with flags for this machine: no sandbox (root),
 * no GPU, and no background traffic (the network is closed).
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let resolved: Promise<string> | undefined;

/** The Chromium executable: CHROME_PATH if set, else the one inside @sparticuz/chromium, unpacked once. */
export function chromiumExecutable(): Promise<string> {
  resolved ??= locate();
  return resolved;
}

async function locate(): Promise<string> {
  const own = process.env.CHROME_PATH;
  if (own) {
    if (!existsSync(own)) throw new Error(`CHROME_PATH=${own} does not exist: unset it to use the Chromium that \`npm ci\` installs (@sparticuz/chromium)`);
    return own;
  }
  let pkgDir: string;
  try {
    // The package exports only its entry (build/index.js); its package.json is one folder up.
    pkgDir = dirname(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')));
  } catch {
    throw new Error('@sparticuz/chromium is not installed: run `npm ci` (it is a devDependency), or set CHROME_PATH to a Chromium or Chrome binary');
  }
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const home = join(tmpdir(), `fuyuan-chromium-${version}`);
  const exe = join(home, 'chromium');
  if (existsSync(exe)) return exe;
  // The package unpacks into os.tmpdir(); point that at a private folder, then move the whole folder into place
  // with one rename, so test files (or projects) unpacking at the same time never see a half-written binary.
  const scratch = mkdtempSync(join(tmpdir(), 'fuyuan-chromium-unpack-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    const { default: Chromium } = await import('@sparticuz/chromium');
    await Chromium.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  try {
    renameSync(scratch, home);
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(exe)) throw e;
  }
  return exe;
}

/** A headless Chromium with a fresh, empty profile of its own (playwright's launch). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromiumExecutable();
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (e) {
    throw new Error(
      `Chromium at ${executablePath} did not start: it needs the system libraries libnss3, libnspr4 and libexpat1 ` +
        `(present on Debian and Ubuntu base images); or set CHROME_PATH to another Chromium. ${String(e)}`,
      { cause: e },
    );
  }
}

/** The app on a real Node server on loopback (port 0) and a browser to drive it; `close` stops both. */
export async function pagesOnLoopback(
  fetch: (req: Request) => Response | Promise<Response>,
): Promise<{ base: string; browser: Browser; close(): Promise<void> }> {
  const { serve } = await import('@hono/node-server');
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  const browser = await launchChromium();
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
