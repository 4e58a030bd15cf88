// The headless Chromium the report's test drives: Debian's package at
// /usr/bin/chromium (puppeteer-core downloads no browser). The integration
// suite's global setup makes sure it is there, before any test runs; the
// test itself only uses it (./browser.ts).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_MISSING =
  `no Chromium at ${CHROMIUM_PATH}: the integration suite installs Debian's package when it runs as root; ` +
  'otherwise install it (apt-get install -y chromium), then run the tests again';

const APT_GET_TIMEOUT_MS = 600_000;

/**
 * Installs Chromium with apt-get when it is missing and we are root (as on
 * CI). Returns a note when it is still missing: only the report's test needs
 * it, and that test fails with the note, so the rest of the suite still runs.
 */
export function ensureChromium(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  if (process.getuid?.() !== 0) return CHROMIUM_MISSING;
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: APT_GET_TIMEOUT_MS,
    });
    if (result.status !== 0) return `apt-get ${args.join(' ')} failed (${result.status ?? result.signal}); install chromium by hand`;
  }
  return existsSync(CHROMIUM_PATH) ? null : `apt-get installed chromium, yet there is no ${CHROMIUM_PATH}`;
}
