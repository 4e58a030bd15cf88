// For commands without a live view: an outage that is being waited out is
// said on stderr when it begins and when it ends, not at every retry.

export function waitingOnStderr(dependency: string, out: NodeJS.WritableStream = process.stderr): (problem: string | null) => void {
  let sinceMs: number | null = null;
  return (problem) => {
    if (problem !== null && sinceMs === null) {
      sinceMs = Date.now();
      out.write(`wallet-sim: ${problem}\n`);
    } else if (problem === null && sinceMs !== null) {
      out.write(`wallet-sim: ${dependency} answers again after ${((Date.now() - sinceMs) / 1000).toFixed(1)} s; going on\n`);
      sinceMs = null;
    }
  };
}
