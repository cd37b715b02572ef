import { ms, pct, rate, sessions } from "./budget.js";
import { type BenchResults, type Run, runOf, type ScenarioResult } from "./results.js";

const MB = 1_000_000;

/** The results as Markdown: one table per store, the growth table, and the budget. */
export function renderMarkdown(results: BenchResults): string {
  const { machine, settings } = results;
  const lines: string[] = [
    `Run ${results.startedAt}${results.quick ? " (--quick: too short to judge by)" : ""}: ` +
      `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node.js ${machine.node}; ` +
      `${settings.warmupSeconds} s warm-up and ${settings.durationSeconds} s measured per run. ` +
      `argon2id hash (m=19456 KiB, t=2, p=1): ${ms(results.hashTimeMs)} alone, ` +
      `${rate(results.hashCapacityPerSecond)} with ${machine.cpus} at once. ` +
      `The floor is the mean of a measurement before and after the rest (${drift(results)}).`,
    "",
  ];
  const floorOf = (concurrency: number) =>
    runOf(results.floor, concurrency)?.throughput ?? Number.NaN;
  for (const store of results.stores) {
    lines.push(
      `### ${store.store}`,
      "",
      "| scenario | conc. | req/s | p50 | p99 | of floor | peak RSS |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const scenario of [results.floor, ...store.scenarios]) {
      lines.push(...rows(scenario, floorOf));
    }
    if (store.growth.length > 0) {
      lines.push(
        "",
        "| refresh (`none`) with live sessions | conc. | req/s | p50 | p99 | p50 vs smallest | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      );
      for (const step of store.growth) {
        for (const run of step.runs) {
          const base = runOf(store.growth[0], run.concurrency)?.p50Ms ?? Number.NaN;
          lines.push(row(sessions(step.sessions), run, `${(run.p50Ms / base).toFixed(2)} ×`));
        }
      }
    }
    lines.push("");
  }
  lines.push(
    "### Budget (SQLite, concurrency 32 unless said, against the floor of this run)",
    "",
    "| path | budget | measured | met |",
    "| --- | --- | --- | :---: |",
    ...results.budget.map(
      (check) =>
        `| ${check.path} | ${check.budget} | ${check.measured} | ${check.met ? "yes" : "**no**"} |`,
    ),
    "",
  );
  return lines.join("\n");
}

/** How far the floor moved between its two measurements, per concurrency. */
function drift(results: BenchResults): string {
  const [before, after] = results.floorSamples;
  return before.runs
    .map((run) => {
      const later = runOf(after, run.concurrency)?.throughput ?? Number.NaN;
      return `concurrency ${run.concurrency}: ${rate(run.throughput)} then ${rate(later)}`;
    })
    .join("; ");
}

function rows(scenario: ScenarioResult, floorOf: (concurrency: number) => number): string[] {
  return scenario.runs.map((run) =>
    row(
      scenario.id === "floor" ? "**floor**: bare fastify JSON POST" : scenario.title,
      run,
      pct(run.throughput / floorOf(run.concurrency)),
    ),
  );
}

function row(label: string, run: Run, ratio: string): string {
  const failed = run.failed > 0 ? ` (${run.failed} failed)` : "";
  return `| ${label} | ${run.concurrency} | ${rate(run.throughput).replace("/s", "")}${failed} | ${ms(run.p50Ms)} | ${ms(run.p99Ms)} | ${ratio} | ${(run.peakRssBytes / MB).toFixed(0)} MB |`;
}
