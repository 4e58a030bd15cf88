// What every command shares: how it reads its settings, and how it reports a
// check that ran but failed (the CLI turns that into exit code 1).
import type { Command } from 'commander';
import { resolveConfig, type Config } from '../config.js';

/** The settings of the command being run: its global flags over the environment. */
export function configOf(command: Command): Config {
  return resolveConfig({ flags: command.optsWithGlobals() });
}

export class CheckFailed extends Error {}
