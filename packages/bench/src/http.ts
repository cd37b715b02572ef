/**
 * Sends one request during setup, its `body` as JSON or its `form` as
 * `application/x-www-form-urlencoded`, and returns the parsed answer;
 * throws unless `expect` status.
 */
export async function requestJson(
  url: string,
  path: string,
  options: {
    readonly method?: "GET" | "POST";
    readonly headers?: Record<string, string>;
    readonly body?: unknown;
    readonly form?: Record<string, string>;
    readonly expect?: number;
  } = {},
): Promise<Record<string, unknown>> {
  const { body, form } = options;
  const response = await fetch(new URL(path, url), {
    method: options.method ?? "POST",
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(form === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
  });
  const text = await response.text();
  const expected = options.expect ?? 200;
  if (response.status !== expected) {
    throw new Error(`${path} answered ${response.status}, not ${expected}: ${text}`);
  }
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** A string field of a parsed answer, or a clear error naming it. */
export function field(body: Record<string, unknown>, ...path: string[]): string {
  let value: unknown = body;
  for (const key of path) {
    value =
      typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  if (typeof value !== "string") {
    throw new Error(`answer has no ${path.join(".")}: ${JSON.stringify(body)}`);
  }
  return value;
}
