// The run report in a real browser: `run --report` and `report` write one
// HTML file; headless Chromium opens it offline, and every chart must have
// drawn, on a canvas that is not blank, with no console error.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { uniqueName } from '../helpers/names.js';

const CHARTS = ['throughput', 'lag', 'latency', 'declines', 'declined-by-day', 'money-by-day', 'balance-by-day', 'types', 'hours', 'fraud'];

describe('the run report', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let browser: Browser;
  const file = join(tmpdir(), `${uniqueName('report')}.html`);
  beforeAll(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.config.database.url, KAFKA_TOPIC: db.config.kafka.topic, KAFKA_GROUP_ID: db.config.kafka.groupId };
    expect((await runCli(['seed-users', '--count', '300', '--seed', '5', '--max-balance', '300'], env)).code).toBe(0);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await db.drop();
  });

  it('draws every chart offline with no console error, after run --report and again with report', async () => {
    // Three simulated days: the charts by day have points to join.
    const args = [
      'run',
      '--start',
      '2026-01-05T06:00:00Z',
      '--speed',
      '43200',
      '--rate',
      '400',
      '--duration',
      '6s',
      '--fraud-share',
      '0.05',
    ];
    const run = await runCli([...args, '--report', file, '--json'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^wallet-sim: report of run [0-9a-f-]{36} written to /);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="(?!data:)/); // nothing to fetch
    // The options as a reader wants them, not raw JSON with the start in epoch milliseconds.
    expect(html).toContain('<dt>simulated time</dt><dd>from 2026-01-05T06:00:00Z at ×43,200 (12 simulated hours a second)</dd>');
    expect(html).not.toContain('startMs');

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${String(error)}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) problems.push(`request: ${request.url()}`);
    });
    await page.setOfflineMode(true);
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    // Page code as text: the tests compile without the DOM's types.
    await page
      .waitForFunction(`document.querySelectorAll('.chart[data-drawn="true"]').length === ${CHARTS.length}`, { timeout: 10_000 })
      .catch((error: unknown) => {
        throw new Error(`not every chart drew: ${String(error)}; ${problems.join('; ')}`);
      });
    const charts = (await page.evaluate(`[...document.querySelectorAll('.chart')].map((chart) => {
      const canvas = chart.querySelector('canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
      return { id: chart.id, drawn: chart.getAttribute('data-drawn'), painted };
    })`)) as { id: string; drawn: string | null; painted: number }[];
    expect(charts.map((chart) => chart.id)).toEqual(CHARTS);
    for (const chart of charts) {
      expect(chart).toMatchObject({ drawn: 'true' });
      expect(chart.painted).toBeGreaterThan(500);
    }
    expect(problems).toEqual([]);
    // Time axes in simulated dates (the axes are on the canvas; each legend names its x the same way).
    const labels = (await page.evaluate(`[...document.querySelectorAll('.u-label')].map((label) => label.textContent)`)) as string[];
    expect(labels).toContain('simulated time (UTC)');
    expect(labels).toContain('simulated date (UTC)');
    expect(labels).not.toContain('s');
    await page.close();

    const again = await runCli(['report', '--output', `${file}.again.html`], env);
    expect(again.code).toBe(0);
    expect(readFileSync(`${file}.again.html`, 'utf8')).toBe(html);
  });

  it('refuses a run that is not recorded, with one line', async () => {
    const result = await runCli(['report', '--run', '00000000-0000-4000-8000-000000000000', '--output', `${file}.none.html`], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^wallet-sim: no run 00000000-0000-4000-8000-000000000000 is recorded/);
  });
});
