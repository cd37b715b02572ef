/**
 * Token clients: the clients applications hold, on top of the API classes.
 * Each keeps its token cached, renews it before it expires with one request
 * for all concurrent callers, and tells a session or token that has ended
 * from a failure worth retrying.
 */

export {
  AutomationClient,
  type AutomationClientOptions,
} from "./automation-client.js";
export {
  ClientCredentialsClient,
  type ClientCredentialsClientOptions,
} from "./client-credentials-client.js";
export {
  type Clock,
  DEFAULT_REFRESH_SKEW_SECONDS,
  renewalTime,
  systemClock,
} from "./clock.js";
export {
  ClientClosedError,
  NoSessionError,
  RotationWindowError,
  SessionEndedError,
  type SessionEndReason,
} from "./errors.js";
export {
  SessionClient,
  type SessionClientOptions,
  type SessionTokensListener,
} from "./session-client.js";
export { SingleFlight } from "./single-flight.js";
