// `wallet-sim serve`, composed: the same pipeline as `run` (ledger group,
// result events, history thread), an HTTP server whose writes publish to the
// transactions topic, and the decisions handed to the requests waiting for
// them: at once when this process's ledger consumer applied the transaction,
// else by a results consumer of this process's own (another server's ledger
// consumer applied it).

import type { Config } from '../config/config.js';
import { topologyOf } from '../config/topology.js';
import { closeAll, type Closer } from '../runtime/closers.js';
import { WalletSimError } from '../runtime/errors.js';
import { buildApp } from './app.js';
import { kafkaCrashOf } from '../kafka/client.js';
import { appDeps, startParts, type OnClose, type ServeOptions, type ServeOutput } from './service-parts.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function refuseOpenBinding(host: string, apiToken: string | null): void {
  if (!LOOPBACK.test(host) && apiToken === null) {
    throw new WalletSimError(
      'USAGE',
      `serve binds to ${host}, beyond this machine, only with a bearer token: set WALLET_SIM_API_TOKEN, or bind to 127.0.0.1`,
    );
  }
}

/** Serves until `stop` is aborted; then stops accepting, answers what is in flight, drains the consumers, commits and returns. */
export async function serve(config: Config, options: ServeOptions, stop: AbortSignal, output: ServeOutput): Promise<void> {
  refuseOpenBinding(options.host, config.service.apiToken);
  const topology = topologyOf(config.kafka, options.partitions);
  const closers: Closer[] = [];
  const onClose: OnClose = (what, close, timeoutMs) => closers.unshift({ what, close, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  try {
    const parts = await startParts(config, options, topology, output, onClose);
    const app = await buildApp(appDeps(config, options, parts));
    // Closed first: no new requests, and those in flight get their answers before the consumers stop.
    onClose('the HTTP server', () => app.close());
    const address = await app.listen({ host: options.host, port: options.port });
    output.say(`listening on ${address}`);
    const stopped = new Promise<'stopped'>((resolve) => {
      if (stop.aborted) resolve('stopped');
      stop.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const crashed = parts.decisions.crashed.then((error) => kafkaCrashOf(config.kafka, error));
    const ended = await Promise.race([stopped, parts.pipeline.crashed, crashed]);
    if (ended !== 'stopped') throw ended;
    parts.stopRequested();
    output.say('stopping: no new requests, answering those in flight');
  } finally {
    await closeAll(closers, (line) => output.warn(line));
  }
}
