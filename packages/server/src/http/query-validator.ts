import { Ajv } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

/**
 * Query strings are text: `?limit=20&include_ended=true` carries the
 * string `"20"`. The app validates bodies without coercion (`"5"` is not a
 * number in JSON), so a route that documents typed query parameters
 * (`limit` an integer, `include_ended` a boolean) validates its query with
 * this compiler, which reads them as their types and still refuses what
 * is not one (`limit=ten`, `include_ended=yes`).
 */
const coercing = new Ajv({ coerceTypes: true, allErrors: false, removeAdditional: false });

/** A route-level `validatorCompiler` for routes whose only validated part is the query. */
export const queryValidatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if (httpPart !== "querystring") {
    throw new Error(`queryValidatorCompiler validates query strings only, not ${httpPart}`);
  }
  return coercing.compile(schema);
};
