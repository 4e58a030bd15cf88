// Headless Chromium for the report's test: Debian's package at
// /usr/bin/chromium, driven by puppeteer-core (which downloads no browser).
// When it is missing and we are root, as on CI, it is installed with apt-get;
// otherwise the test fails saying how to install it.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's package as root (apt-get install -y chromium), then run the tests again`,
    );
  }
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
    });
    if (result.status !== 0)
      throw new Error(`apt-get ${args.join(' ')} failed (${result.status ?? result.signal}); install chromium by hand`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium, yet there is no ${CHROMIUM_PATH}`);
  return CHROMIUM_PATH;
}

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: ensureChromium(),
    headless: true,
    // As root (CI), Chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
