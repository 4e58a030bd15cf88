// A progress bar redrawn in place on a terminal; silent when stderr is not one.

import chalk from 'chalk';

export function createProgressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { update(done: number, total: number): void; end(): void } {
  const startedMs = performance.now();
  let lastDrawMs = 0;
  const width = 30;
  return {
    update(done, total) {
      if (!stream.isTTY) return;
      const nowMs = performance.now();
      if (done < total && nowMs - lastDrawMs < 100) return;
      lastDrawMs = nowMs;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const seconds = ((nowMs - startedMs) / 1000).toFixed(1);
      stream.write(
        `\r${chalk.cyan('█'.repeat(filled))}${chalk.dim('░'.repeat(width - filled))} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${label} ${seconds} s`,
      );
    },
    end() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
