/**
 * The source of "now" for every expiry decision. Injected so tests move time
 * forward instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}
