import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

/**
 * `tessera.example.json`, at the repository's root: every setting the
 * server reads, each at its default, so an operator can copy it and change
 * what they need. Kept whole and true by this test: every variable
 * docs/configuration.md documents for the server is in it, the server
 * accepts the file (an unknown key would be refused), and it configures
 * exactly what no configuration does.
 */

const root = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));
const EXAMPLE = root("tessera.example.json");

/** Read by the CLI on an operator's machine, or naming the file itself: not settings of the file. */
const NOT_IN_THE_FILE = new Set(["TESSERA_CONFIG_FILE", "TESSERA_SERVER", "TESSERA_CONFIG_DIR"]);

describe("tessera.example.json", () => {
  it("holds every variable docs/configuration.md documents for the server", () => {
    const documented = [
      ...readFileSync(root("docs/configuration.md"), "utf8").matchAll(
        /^\| `(TESSERA_[A-Z0-9_]+)`/gm,
      ),
    ]
      .map((match) => match[1] ?? "")
      .filter((name) => !NOT_IN_THE_FILE.has(name));
    const example = Object.keys(JSON.parse(readFileSync(EXAMPLE, "utf8")) as object);
    expect(documented.length).toBeGreaterThan(30);
    expect([...example].sort()).toEqual([...new Set(documented)].sort());
  });

  it("is accepted as it is, and configures what no configuration does", () => {
    expect(loadConfig({ TESSERA_CONFIG_FILE: EXAMPLE })).toEqual(loadConfig({}));
  });
});
