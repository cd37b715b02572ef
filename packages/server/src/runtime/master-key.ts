import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where the development master key lives when `TESSERA_MASTER_KEY` is unset. */
export function devMasterKeyPath(dataDir: string): string {
  return join(dataDir, "master.key");
}

/**
 * The master key: from configuration, or (development only) from a key file
 * in the data dir, created with mode 0600 on first use when `create` allows.
 *
 * @returns the key and, when the file was used, a warning for the operator;
 *   undefined when there is neither a configured key nor a file and `create`
 *   is false.
 */
export function resolveMasterKey(
  configured: Buffer | undefined,
  dataDir: string,
  { create = true }: { readonly create?: boolean } = {},
): { readonly key: Buffer; readonly warning: string | undefined } | undefined {
  if (configured !== undefined) {
    return { key: configured, warning: undefined };
  }
  const path = devMasterKeyPath(dataDir);
  let key: Buffer;
  if (existsSync(path)) {
    key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length !== 32) {
      throw new Error(`${path} does not hold a 32-byte base64 key`);
    }
  } else if (!create) {
    return undefined;
  } else {
    mkdirSync(dataDir, { recursive: true });
    key = randomBytes(32);
    writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
  }
  const warning =
    `TESSERA_MASTER_KEY is not set: using the development key file ${path}. ` +
    "Anyone who can read it can decrypt the signing keys. In production set " +
    "TESSERA_MASTER_KEY (openssl rand -base64 32) and keep it out of the data dir.";
  return { key, warning };
}
