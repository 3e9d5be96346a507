/**
 * A small, batch-timed micro-benchmark harness. Tools that time every call on its own
 * (tinybench and friends) add a clock read per call, which is most of the cost of a
 * sub-microsecond validation; here each sample times a batch of calls. Tasks of a group are
 * run round-robin, so drift of a shared machine hits them alike and the ratios hold.
 */
export interface Task {
  name: string;
  fn: () => unknown;
}

export interface TaskResult {
  name: string;
  opsPerSecond: number;
  nsPerOp: number;
  /** Relative spread of the samples: (max - min) / median. */
  spread: number;
}

function timeBatch(fn: () => unknown, count: number): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) fn();
  return Number(process.hrtime.bigint() - started);
}

export function runGroup(tasks: Task[], options: { rounds?: number; sampleMs?: number; onProgress?: (message: string) => void } = {}): TaskResult[] {
  const rounds = options.rounds ?? 9;
  const sampleNs = (options.sampleMs ?? 40) * 1e6;
  // Calibrate: how many calls make one sample of about sampleMs (after a warm-up).
  const batch = tasks.map((task) => {
    let count = 1;
    for (;;) {
      const ns = timeBatch(task.fn, count);
      if (ns > sampleNs / 4 || count > 1e7) return Math.max(1, Math.round((count * sampleNs) / Math.max(ns, 1)));
      count *= 4;
    }
  });
  const samples: number[][] = tasks.map(() => []);
  for (let round = 0; round < rounds; round++) {
    options.onProgress?.(`round ${round + 1}/${rounds}`);
    tasks.forEach((task, i) => {
      samples[i]!.push(timeBatch(task.fn, batch[i]!) / batch[i]!);
    });
  }
  return tasks.map((task, i) => {
    const sorted = [...samples[i]!].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return { name: task.name, nsPerOp: median, opsPerSecond: 1e9 / median, spread: (sorted[sorted.length - 1]! - sorted[0]!) / median };
  });
}
