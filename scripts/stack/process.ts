// Small process helpers for the stack: run a command to completion, start a
// server in the background, wait on a condition, stop what we started.

import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { WalletSimError } from '../../src/runtime/errors.js';

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command to completion; returns its exit status and output. */
export function run(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number } = {},
) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
    env: options.env ?? process.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error };
}

/** Starts a long-running server detached from this process, its output in a log file. */
export function startDetached(command: string, args: readonly string[], logPath: string, options: SpawnOptions = {}): number {
  const log = openSync(logPath, 'a');
  try {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new WalletSimError('STACK_FAILED', `could not start ${command}; see ${logPath}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  return existsSync(stat) && / Z /.test(readFileSync(stat, 'utf8'));
}

/** The command line of a process, to make sure a recorded pid is still ours. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Checked between attempts: a reason to give up early (e.g. the server exited). */
  readonly abandon?: () => string | undefined;
}

/** Polls `condition` until it holds; throws with `what` when the deadline passes. */
export async function waitFor(what: string, condition: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await condition()) return;
    const reason = options.abandon?.();
    if (reason !== undefined) throw new WalletSimError('STACK_FAILED', `${what}: ${reason}`);
    if (Date.now() > deadline) throw new WalletSimError('STACK_FAILED', `${what}: not ready after ${options.timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopProcess(pid: number, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

export function tail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
