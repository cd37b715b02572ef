import { Configuration, type ConfigurationParameters } from "../configuration.js";

/**
 * A configuration for one purpose of a token client: the caller's server
 * and transport settings (`basePath`, `apiKey`, `fetch`, `timeoutMs`,
 * `retry`, `headers`) with `credentials` in place of its own. The caller's
 * `accessToken`, `username` and `password` are never carried over, so a
 * client sends exactly the credential its call needs (a long-term token
 * where a short-term one was meant would be a step-up by the wrong token),
 * and the caller's object is never changed.
 *
 * @example
 * const issuing = deriveConfiguration(configuration, { accessToken: longTermToken });
 * await new AuthApi(issuing).issueShortTermToken();
 */
export function deriveConfiguration(
  base: ConfigurationParameters | undefined,
  credentials: Pick<ConfigurationParameters, "accessToken" | "username" | "password"> & {
    readonly basePath?: string;
  } = {},
): Configuration {
  const parameters: ConfigurationParameters = {};
  const basePath = credentials.basePath ?? base?.basePath;
  if (basePath !== undefined) {
    parameters.basePath = basePath;
  }
  if (base?.apiKey !== undefined) {
    parameters.apiKey = base.apiKey;
  }
  if (base?.fetch !== undefined) {
    parameters.fetch = base.fetch;
  }
  if (base?.timeoutMs !== undefined) {
    parameters.timeoutMs = base.timeoutMs;
  }
  if (base?.retry !== undefined) {
    parameters.retry = base.retry;
  }
  if (base?.headers !== undefined) {
    parameters.headers = base.headers;
  }
  if (credentials.accessToken !== undefined) {
    parameters.accessToken = credentials.accessToken;
  }
  if (credentials.username !== undefined) {
    parameters.username = credentials.username;
  }
  if (credentials.password !== undefined) {
    parameters.password = credentials.password;
  }
  return new Configuration(parameters);
}
