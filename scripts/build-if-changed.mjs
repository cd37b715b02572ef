// Builds the workspaces when a source changed since the last build, and
// otherwise does nothing, silently: what `npm start` (prestart) and
// `npm install` (prepare) run, so that starting an unchanged tree costs no
// build and prints no build's noise.
//
// A build is needed when any input (each package's package.json, tsconfig
// files and src/, and the lockfile) differs, by path, size or mtime, from
// what the last successful build recorded, or when a package's dist/ is
// missing. `npm run build` still always builds.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stampFile = join(root, "node_modules", ".cache", "tessera", "build-fingerprint");

/** Every file below `dir`, recursively. */
function* filesBelow(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* filesBelow(path);
    } else if (entry.isFile()) {
      yield path;
    }
  }
}

/** The packages that build: those whose package.json has a build script. */
function buildingPackages() {
  const packages = join(root, "packages");
  return readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packages, entry.name))
    .filter((dir) => {
      const manifest = join(dir, "package.json");
      return existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).scripts?.build;
    });
}

/** What the build reads, as one digest of each input's path, size and mtime. */
function fingerprint(packages) {
  const inputs = [join(root, "package.json"), join(root, "package-lock.json")];
  for (const dir of packages) {
    for (const name of readdirSync(dir)) {
      if (name === "package.json" || /^tsconfig.*\.json$/.test(name)) {
        inputs.push(join(dir, name));
      }
    }
    if (existsSync(join(dir, "src"))) {
      inputs.push(...filesBelow(join(dir, "src")));
    }
  }
  const hash = createHash("sha256");
  for (const path of inputs.filter((p) => existsSync(p)).sort()) {
    const { size, mtimeMs } = statSync(path);
    hash.update(`${relative(root, path)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest("hex");
}

const packages = buildingPackages();
const current = fingerprint(packages);
const built = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : undefined;
if (built === current && packages.every((dir) => existsSync(join(dir, "dist")))) {
  process.exit(0);
}
process.stderr.write("Building Tessera (its sources changed since the last build)…\n");
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, "run", "--silent", "build"], { cwd: root, stdio: "inherit" })
  : spawnSync("npm", ["run", "--silent", "build"], {
      cwd: root,
      stdio: "inherit",
      shell: process.platform === "win32",
    });
if (result.status !== 0) {
  process.exit(result.status ?? 1);
}
mkdirSync(dirname(stampFile), { recursive: true });
writeFileSync(stampFile, `${current}\n`);
