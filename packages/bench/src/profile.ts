import { readFileSync } from "node:fs";

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) read here. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Summarises a CPU profile: where the server's one thread spent its time,
 * by owner (Tessera's own layers, each library, Node.js internals, native
 * work such as the garbage collector) and by function, as shares of all
 * samples. Self time only, so the shares add up to 100%.
 */
export function summariseProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const frame = frames.get(id);
    if (frame === undefined) {
      return;
    }
    total += delta;
    add(byOwner, ownerOf(frame.url, frame.functionName), delta);
    const where = frame.url === "" ? "" : ` (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
    add(byFunction, `${frame.functionName || "(anonymous)"}${where}`, delta);
  });
  const table = (title: string, entries: Map<string, number>) => [
    `| ${title} | share |`,
    "| --- | ---: |",
    ...[...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, time]) =>
          `| ${name.replaceAll("|", "\\|")} | ${((100 * time) / total).toFixed(1)}% |`,
      ),
  ];
  return [...table("owner", byOwner), "", ...table("function (self time)", byFunction)].join("\n");
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** Tessera's layer, the npm package, `node:` internals, or V8's own entries such as `(garbage collector)`. */
function ownerOf(url: string, functionName: string): string {
  if (url === "") {
    return functionName.startsWith("(") ? functionName : `native: ${functionName}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) {
    return pkg;
  }
  const layer = /packages\/server\/dist\/([^/]+)/.exec(url)?.[1];
  if (layer !== undefined) {
    return `tessera ${layer.replace(/\.js$/, "")}/`;
  }
  if (url.startsWith("node:")) {
    return `node:${url.replace(/^node:(internal\/)?/, "").split("/")[0]}`;
  }
  return "other";
}

function shortUrl(url: string): string {
  return url
    .replace(/^.*node_modules\//, "")
    .replace(/^.*packages\/server\/dist\//, "tessera/")
    .replace(/^file:\/\//, "");
}
