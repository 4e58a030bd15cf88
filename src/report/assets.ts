// uPlot's minified script and stylesheet, read from the installed package to
// be inlined into the report: the HTML file then needs no network.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ReportAssets {
  readonly script: string;
  readonly css: string;
}

export function loadReportAssets(): ReportAssets {
  const require = createRequire(import.meta.url);
  return {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
