// How a live view writes, whatever it shows: on a terminal, a block redrawn
// in place once a second; otherwise one plain line a second; with --json, one
// JSON object a line. Notes go to stderr, so --json output stays parseable.

export type ViewMode = 'tty' | 'plain' | 'json';

export interface LiveOutput<Snapshot> {
  update(snapshot: Snapshot): void;
  /** Lines of their own (e.g. events) between two blocks. */
  lines(text: string): void;
  note(message: string): void;
}

export interface LiveRenderers<Snapshot> {
  readonly line: (snapshot: Snapshot) => string;
  readonly block: (snapshot: Snapshot) => string[];
}

export function createLiveOutput<Snapshot extends object>(
  mode: ViewMode,
  render: LiveRenderers<Snapshot>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): LiveOutput<Snapshot> {
  let drawnLines = 0;
  return {
    update(snapshot) {
      if (mode === 'json') {
        out.write(`${JSON.stringify({ type: 'stats', ...snapshot })}\n`);
        return;
      }
      if (mode === 'plain') {
        out.write(`${render.line(snapshot)}\n`);
        return;
      }
      // A line wider than the terminal wraps, and the cursor then moves up too
      // few lines to redraw in place: every line is cut to the width. A
      // pseudo-terminal may report 0 columns: then nothing is cut.
      const columns = (out as { columns?: number }).columns || Number.POSITIVE_INFINITY;
      const lines = render.block(snapshot).map((line) => fitToWidth(line, columns - 1));
      out.write(`${drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[0J` : ''}${lines.join('\n')}\n`);
      drawnLines = lines.length;
    },
    lines(text) {
      out.write(text);
      drawnLines = 0; // the next block is drawn below these lines
    },
    note(message) {
      err.write(`wallet-sim: ${message}\n`);
      drawnLines = 0; // the note moved the cursor: draw the next block below it
    },
  };
}

/** The line cut to `columns` visible characters; colour codes are kept and do not count. */
export function fitToWidth(line: string, columns: number): string {
  let visible = 0;
  let cut = '';
  // eslint-disable-next-line no-control-regex -- ESC starts the colour codes this skips
  for (const [, escape, char] of line.matchAll(/(\x1b\[[0-9;]*m)|([\s\S])/gu)) {
    if (escape !== undefined) cut += escape;
    else if (visible < columns) {
      cut += char;
      visible += 1;
    }
  }
  return cut;
}
