// Headless Chromium for the report's test, driven by puppeteer-core. The
// browser is installed before the suite runs (./chromium.ts, from the
// integration project's global setup), never from inside a test.

import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_MISSING, CHROMIUM_PATH } from './chromium.js';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) return Promise.reject(new Error(CHROMIUM_MISSING));
  return puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // As root (CI), Chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
