/** Progress on stderr: a bar with the ETA on a terminal; otherwise (a log file, CI) a plain line every 10 %. */
import cliProgress from 'cli-progress';

export interface Progress {
  /** More work became known (the sweep's results, once the rewrites they re-decide are in). */
  grow(by: number): void;
  tick(): void;
  stop(): void;
}

export function createProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} results · {percentage}% · ETA {eta_formatted}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      grow: (by) => bar.setTotal(bar.getTotal() + by),
      tick: () => bar.increment(),
      stop: () => bar.stop(),
    };
  }
  let size = total;
  let done = 0;
  let reported = 0;
  const started = Date.now();
  return {
    grow(by) {
      size += by;
    },
    tick() {
      done += 1;
      const tenth = Math.floor((done / Math.max(1, size)) * 10);
      if (tenth > reported) {
        reported = tenth;
        const elapsed = (Date.now() - started) / 1000;
        const eta = done === 0 ? 0 : (elapsed / done) * (size - done);
        stream.write(`${label}: ${done}/${size} results (${tenth * 10} %), ${elapsed.toFixed(0)} s, about ${eta.toFixed(0)} s left\n`);
      }
    },
    stop() {},
  };
}
