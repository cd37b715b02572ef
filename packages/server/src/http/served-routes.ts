import type { FastifyInstance } from "fastify";

/** One method of one route the app serves. */
export interface ServedRoute {
  readonly method: string;
  /** Fastify's pattern: `/auth/tokens/:tokenId/revoke`. */
  readonly url: string;
}

const recorded = new WeakMap<FastifyInstance, ServedRoute[]>();

/**
 * Records every route registered on `app` from now on (HEAD, which fastify
 * adds beside each GET, left out), so that what the app serves can be held
 * against what `/openapi.json` describes.
 */
export function recordServedRoutes(app: FastifyInstance): void {
  const routes: ServedRoute[] = [];
  recorded.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") {
        routes.push({ method, url: route.url });
      }
    }
  });
}

/** Every route `app` serves, as {@link recordServedRoutes} saw them registered. */
export function servedRoutes(app: FastifyInstance): readonly ServedRoute[] {
  return recorded.get(app) ?? [];
}
