/**
 * Starts headless Chromium for the page tests (a stand-in until the shared launch helper of
 * test/web/browser.test.ts lands on main; then this file goes and the tests use that helper).
 */
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

/** Flags for this machine: no sandbox as root, and no background traffic (the network is closed). */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  return playwright.launch({ executablePath: await chromium.executablePath(), args: ARGS, timeout: 30_000 });
}
