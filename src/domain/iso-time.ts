// ISO 8601 text of a time in milliseconds. Many transactions share a
// millisecond at the ceiling (a batch is made in one go), and
// Date.prototype.toISOString allocates a Date and a string each time: the
// last text made is kept and given again for the same millisecond.

let lastMs = Number.NaN;
let lastText = '';

export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
