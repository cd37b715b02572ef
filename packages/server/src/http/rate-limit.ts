import type { FastifyReply, FastifyRequest } from "fastify";
import { TesseraError } from "../core/errors.js";
import type { ClientRecord } from "../core/model/index.js";
import type { Cache, LimitState, RateLimiter } from "../core/ports/cache.js";

/** Request budgets of the token API and the OAuth token endpoints, per minute. */
export interface RateLimitSettings {
  readonly perClientPerMinute: number;
  readonly perIpPerMinute: number;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The tightest limit state seen so far in this request, for the `RateLimit-*` headers. */
    rateLimitState: LimitState | null;
  }
}

/**
 * Counts every request of the dialects that issue machine tokens (the
 * token API and OAuth) against its IP and, once known, its client: one
 * budget across both, so a client cannot double its rate by switching
 * dialect. Each answer carries `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` (seconds) for the tighter of the two; a request over
 * either budget is a 429 with `Retry-After`. Failed client authentications
 * have their own, stricter budget in the core.
 *
 * The counters keep the names they had when only the token API used them
 * (`token-api-ip`, `token-api-client`), so a rolling upgrade shares them.
 */
export class RequestRateLimits {
  readonly #perIp: RateLimiter;
  readonly #perClient: RateLimiter;

  constructor(cache: Cache, settings: RateLimitSettings) {
    this.#perIp = cache.rateLimiter({
      name: "token-api-ip",
      points: settings.perIpPerMinute,
      windowSeconds: 60,
    });
    this.#perClient = cache.rateLimiter({
      name: "token-api-client",
      points: settings.perClientPerMinute,
      windowSeconds: 60,
    });
  }

  /** Spends one request of the caller's IP. */
  async countIp(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await this.#spend(request, reply, this.#perIp, request.ip);
  }

  /**
   * Spends one request of the client, once the request has proven it. Keyed
   * by its tenant and id (ids are unique within a tenant only). A public
   * client proves nothing but its id, which anyone may name, so its budget
   * is kept per address too: naming it from elsewhere spends none of it.
   */
  async countClient(
    request: FastifyRequest,
    reply: FastifyReply,
    client: Pick<ClientRecord, "tenantId" | "id" | "tokenEndpointAuthMethod">,
  ): Promise<void> {
    const key =
      client.tokenEndpointAuthMethod === "none"
        ? JSON.stringify([client.tenantId, client.id, request.ip])
        : JSON.stringify([client.tenantId, client.id]);
    await this.#spend(request, reply, this.#perClient, key);
  }

  async #spend(
    request: FastifyRequest,
    reply: FastifyReply,
    limiter: RateLimiter,
    key: string,
  ): Promise<void> {
    const state = await limiter.consume(key);
    const tightest = request.rateLimitState;
    if (tightest === null || state.remaining < tightest.remaining || !state.allowed) {
      request.rateLimitState = state;
    }
    setHeaders(reply, request.rateLimitState ?? state);
    if (!state.allowed) {
      throw new TesseraError("rate_limited", "Too many requests; try again later", {
        retryAfterSeconds: Math.max(1, Math.ceil(state.resetMs / 1000)),
      });
    }
  }
}

function setHeaders(reply: FastifyReply, state: LimitState): void {
  reply
    .header("ratelimit-limit", String(state.limit))
    .header("ratelimit-remaining", String(state.remaining))
    .header("ratelimit-reset", String(Math.max(0, Math.ceil(state.resetMs / 1000))));
}
