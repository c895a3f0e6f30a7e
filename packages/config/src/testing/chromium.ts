import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser the browser specs drive: Debian's Chromium through playwright-core (never a browser a
 * test tool downloads), headless, with no network chatter of its own. `REELRANK_CHROMIUM` points at
 * another binary; `npm test` installs the Debian package first when it may (tools/ensure-chromium.sh).
 */
export const CHROMIUM_PATH = process.env.REELRANK_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with one line saying how to install Chromium when it is missing (call it before slow set-up). */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with "apt-get update && apt-get install -y chromium" (or set REELRANK_CHROMIUM to its path).`,
    );
  }
}

/** Launches that Chromium (after requireChromium's check). */
export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}
