import { errorCodes, type FastifyInstance } from "fastify";

/**
 * How every dialect reads a request body. JSON is the only body any dialect
 * speaks, and an empty body is no body, whatever its Content-Type: axios
 * (and the clients generated with it) sends `Content-Type:
 * application/x-www-form-urlencoded` with `Content-Length: 0` on a POST
 * without data, and other clients send `application/json` with nothing. So:
 *
 * - `application/json` (any parameters): empty is no body; anything else
 *   goes to fastify's own parser, poisoning checks included;
 * - any other Content-Type, or none with a body on its way (chunked): empty
 *   is no body; anything else is 415;
 * - a body sent to a route that does not exist is not read as anything:
 *   the answer is the 404.
 *
 * Each route then answers a request without a body as it always has: the
 * ones whose body is optional serve it, the others give their dialect's
 * "missing body" 400.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    // A route that does not exist is a 404 whatever the body is.
    if (body === "" || request.is404) {
      done(null, undefined);
      return;
    }
    // The default parser answers through `done`; its return value carries nothing.
    void parseJson(request, body.toString(), done);
  });
  app.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    if (body.length === 0 || request.is404) {
      done(null, undefined);
      return;
    }
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  });
}
