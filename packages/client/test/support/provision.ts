import type { Tessera } from "./tessera.js";

/** The password of every user the suites create. */
export const PASSWORD = "correct horse battery staple";

/** A token API client as `tessera client add --json` prints it. */
export interface ProvisionedClient {
  readonly id: string;
  readonly clientSecret: string;
  readonly otpauthUri?: string;
}

/** An API key (`X-API-Key`) for the default tenant's session and token APIs. */
export function addApiKey(tessera: Tessera, name = "sdk-tests"): string {
  return tessera.cliJson<{ key: string }>(["apikey", "create", "--name", name]).key;
}

/** A user of the default tenant with {@link PASSWORD}; `admin` may impersonate. */
export function addUser(
  tessera: Tessera,
  username: string,
  options: { readonly admin?: boolean; readonly role?: string } = {},
): void {
  tessera.cli(
    [
      "user",
      "add",
      username,
      "--password-stdin",
      ...(options.admin === true ? ["--admin"] : []),
      ...(options.role === undefined ? [] : ["--role", options.role]),
    ],
    PASSWORD,
  );
}

/** A confidential client with a secret; `args` are more `tessera client add` options. */
export function addClient(
  tessera: Tessera,
  name: string,
  args: readonly string[] = [],
): ProvisionedClient {
  return tessera.cliJson<ProvisionedClient>(["client", "add", name, ...args]);
}
