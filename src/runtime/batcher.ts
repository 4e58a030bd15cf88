// Many callers, one round trip: calls that arrive while the work is busy
// wait and go out together as one batch (the way kafkajs' producer and
// DataLoader share a request). A call alone goes out at once (on the next
// turn of the event loop): no linger, so an idle service adds no latency,
// and a busy one sends fewer, larger batches. Bounded: at most
// `batchSizeMax` calls a batch and `inFlightMax` batches at once.

import { assert } from './errors.js';

export interface BatcherLimits {
  readonly batchSizeMax: number;
  readonly inFlightMax: number;
}

interface Call<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

/** `run` answers a batch of inputs with one output each, in order; one failure fails every call of its batch. */
export function createBatcher<I, O>(run: (inputs: readonly I[]) => Promise<readonly O[]>, limits: BatcherLimits): (input: I) => Promise<O> {
  assert(limits.batchSizeMax >= 1 && limits.inFlightMax >= 1, 'a batcher needs room for one call and one batch');
  let waiting: Call<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    while (waiting.length > 0 && inFlight < limits.inFlightMax) {
      const batch = waiting.slice(0, limits.batchSizeMax);
      waiting = waiting.slice(batch.length);
      inFlight++;
      void settle(batch).finally(() => {
        inFlight--;
        flush();
      });
    }
  };
  const settle = async (batch: readonly Call<I, O>[]) => {
    try {
      const outputs = await run(batch.map((call) => call.input));
      assert(outputs.length === batch.length, 'a batch answers each of its calls');
      batch.forEach((call, index) => call.resolve(outputs[index] as O));
    } catch (error) {
      for (const call of batch) call.reject(error);
    }
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
