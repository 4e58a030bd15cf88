// Runs the built CLI as a user would (`npm test` builds it first).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/paths.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return runNode([join(packageRoot, 'bin', 'wallet-sim.js'), ...args], env, timeoutMs);
}

/** Runs a Node.js script to completion. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} ran over ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningCli {
  readonly stdoutLines: string[];
  /** When each line of stdout arrived (Date.now()). */
  readonly stdoutTimesMs: number[];
  readonly stderrLines: string[];
  /**
   * Waits until a line of stdout, from line `fromLine` on, matches
   * `predicate`; fails if the process ends first. Each line is given to
   * `predicate` once, in order, so a predicate may count what it has seen.
   */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number, fromLine?: number): Promise<string>;
  /** As waitForLine, on stderr. */
  waitForStderrLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  signal(signal: NodeJS.Signals): void;
  readonly exited: Promise<CliResult & { readonly exitedAtMs: number }>;
}

const started = new Set<ChildProcess>();

/** Kills what a test started and left running (a test that failed half-way). */
export function killStrays(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

/**
 * Starts the CLI and lets the test follow its output while it runs. It is
 * killed after the test unless `outlivesTest` (a server a whole file shares,
 * which the file then stops itself).
 */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, outlivesTest = false): RunningCli {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'wallet-sim.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!outlivesTest) started.add(child);
  const stdoutLines: string[] = [];
  const stdoutTimesMs: number[] = [];
  const stderrLines: string[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  let partialErr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    stdoutLines.push(...lines);
    stdoutTimesMs.push(...lines.map(() => Date.now()));
    waiters.forEach((wake) => wake());
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const lines = (partialErr + chunk.toString()).split('\n');
    partialErr = lines.pop() ?? '';
    stderrLines.push(...lines);
    waiters.forEach((wake) => wake());
  });
  const exited = new Promise<CliResult & { exitedAtMs: number }>((resolve) =>
    child.on('close', (code) => {
      waiters.forEach((wake) => wake());
      resolve({ code, stdout, stderr, exitedAtMs: Date.now() });
    }),
  );
  const waitFor = (lines: string[], predicate: (line: string) => boolean, timeoutMs: number, fromLine: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      // Lines already judged are not judged again when more output arrives:
      // a counting predicate that saw them at every wake-up counted them twice or more.
      let next = fromLine;
      const check = () => {
        for (; next < lines.length; next++) {
          const line = lines[next] as string;
          if (predicate(line)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(line);
            return;
          }
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`wallet-sim exited (${child.exitCode ?? child.signalCode}) first; stderr: ${stderr}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    stdoutLines,
    stdoutTimesMs,
    stderrLines,
    exited,
    signal: (signal) => {
      child.kill(signal);
    },
    waitForLine: (predicate, timeoutMs = 60_000, fromLine = 0) => waitFor(stdoutLines, predicate, timeoutMs, fromLine),
    waitForStderrLine: (predicate, timeoutMs = 60_000) => waitFor(stderrLines, predicate, timeoutMs, 0),
  };
}
