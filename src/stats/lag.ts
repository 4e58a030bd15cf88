// The lag the live view shows: messages in a topic that the ledger has not
// processed yet. Pure: the caller reads the offsets.
//
// A group's committed offsets trail what it has processed by up to its commit
// interval (a second), so a lag read from them alone showed about half the
// rate on a run that had caught up (250 at 500 tx/s). Where this process
// consumes a partition, it knows exactly what it processed; elsewhere (a
// partition another member holds) the committed offset is all there is.

/** A partition's first offset still in the topic (`low`) and the offset its next message will get (`high`). */
export interface PartitionEnds {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

/** Offsets are "next to consume": one past the last message taken in. */
export type NextOffsets = ReadonlyMap<number, bigint>;

export function unprocessedCount(ends: readonly PartitionEnds[], committed: NextOffsets, processed: NextOffsets): number {
  let count = 0n;
  for (const end of ends) {
    const low = BigInt(end.low);
    const high = BigInt(end.high);
    const committedNext = committed.get(end.partition) ?? -1n;
    const processedNext = processed.get(end.partition) ?? -1n;
    let done = committedNext > processedNext ? committedNext : processedNext;
    if (done < low) done = low;
    // The offsets are read one after the other: a message taken in after the high-water mark was read is no negative lag.
    if (high > done) count += high - done;
  }
  return Number(count);
}
