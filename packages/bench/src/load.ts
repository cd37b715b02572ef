import autocannon from "autocannon";

/** One HTTP request a scenario sends; `setupRequest`/`onResponse` carry per-request state. */
export type LoadRequest = autocannon.Request;

/** What a scenario asks the load generator to send. */
export interface LoadPlan {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Builds each request anew (a token taken from a pool), and sees each answer. */
  readonly request?: LoadRequest;
}

/** One measured run at one concurrency. */
export interface LoadResult {
  readonly concurrency: number;
  readonly durationSeconds: number;
  /** Answers with a 2xx status. */
  readonly ok: number;
  /** Answers with any other status, and connection errors or timeouts. */
  readonly failed: number;
  /** 2xx answers a second. */
  readonly throughput: number;
  /** Latency percentiles of every answer, in milliseconds (microsecond resolution). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The statuses seen, for a failed run's diagnosis. */
  readonly statuses: Record<string, number>;
}

/**
 * Drives `url` with autocannon for `warmupSeconds` (discarded), then for
 * `durationSeconds`, over `concurrency` keep-alive connections each with one
 * request in flight. Latencies are taken from every answer at full precision
 * (autocannon's own histogram rounds to whole milliseconds).
 */
export async function measureLoad(
  url: string,
  plan: LoadPlan,
  settings: {
    readonly concurrency: number;
    readonly warmupSeconds: number;
    readonly durationSeconds: number;
  },
): Promise<LoadResult> {
  if (settings.warmupSeconds > 0) {
    await drive(url, plan, settings.concurrency, settings.warmupSeconds, () => {});
  }
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const result = await drive(
    url,
    plan,
    settings.concurrency,
    settings.durationSeconds,
    (status, responseTime) => {
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    },
  );
  const ok = Object.entries(statuses)
    .filter(([status]) => status.startsWith("2"))
    .reduce((sum, [, count]) => sum + count, 0);
  const answered = latencies.length;
  latencies.sort((a, b) => a - b);
  return {
    concurrency: settings.concurrency,
    durationSeconds: result.duration,
    ok,
    failed: answered - ok + result.errors + result.timeouts,
    throughput: ok / result.duration,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    statuses,
  };
}

function drive(
  url: string,
  plan: LoadPlan,
  connections: number,
  seconds: number,
  onAnswer: (status: number, responseTimeMs: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: new URL(plan.path, url).toString(),
        method: plan.method,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        ...(plan.headers === undefined ? {} : { headers: plan.headers }),
        ...(plan.body === undefined ? {} : { body: plan.body }),
        ...(plan.request === undefined ? {} : { requests: [plan.request] }),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("response", (_client, status, _bytes, responseTime) => {
      onAnswer(status, responseTime);
    });
  });
}

/** The value below which `fraction` of the sorted `values` lie (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
