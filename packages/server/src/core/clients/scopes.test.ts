import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TesseraError } from "../errors.js";
import { narrowScopes, parseScopes, TOKENS_ADMIN, TOKENS_WRITE } from "./scopes.js";

/** Any scope name the permission grammar allows. */
const scopeName = fc.stringMatching(/^[a-z][a-z0-9:._-]{0,63}$/);

function failureOf(work: () => unknown): TesseraError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(TesseraError);
    return error as TesseraError;
  }
  throw new Error("Expected a TesseraError, but nothing was thrown");
}

describe("parseScopes", () => {
  it("sorts and removes duplicates", () => {
    expect(parseScopes([TOKENS_WRITE, "reports:read", TOKENS_WRITE, "audit.read"])).toEqual([
      "audit.read",
      "reports:read",
      TOKENS_WRITE,
    ]);
    expect(parseScopes([])).toEqual([]);
  });

  it("keeps every valid name, once, in order", () => {
    fc.assert(
      fc.property(fc.array(scopeName, { maxLength: 64 }), (scopes) => {
        const parsed = parseScopes(scopes);
        expect(parsed).toEqual([...new Set(scopes)].sort());
      }),
    );
  });

  it.each([
    ["upper case", "Tokens:write"],
    ["an empty name", ""],
    ["a leading digit", "1tokens"],
    ["a space", "tokens write"],
    ["a slash", "tokens/write"],
    ["65 characters", `t${"x".repeat(64)}`],
  ])("refuses a name with %s as invalid_request", (_, name) => {
    expect(failureOf(() => parseScopes([TOKENS_WRITE, name])).code).toBe("invalid_request");
  });

  it("accepts 64 scopes and refuses 65 as invalid_request", () => {
    const names = Array.from({ length: 65 }, (_, i) => `scope-${i}`);

    expect(parseScopes(names.slice(0, 64))).toHaveLength(64);
    expect(failureOf(() => parseScopes(names)).code).toBe("invalid_request");
  });
});

describe("narrowScopes", () => {
  const granted = ["reports:read", TOKENS_ADMIN, TOKENS_WRITE];

  it("gives everything granted when nothing is asked for", () => {
    expect(narrowScopes(granted, undefined)).toEqual(granted);
  });

  it("gives a subset, sorted and without duplicates", () => {
    expect(narrowScopes(granted, [TOKENS_WRITE, "reports:read", TOKENS_WRITE])).toEqual([
      "reports:read",
      TOKENS_WRITE,
    ]);
    expect(narrowScopes(granted, [])).toEqual([]);
  });

  it("refuses scopes beyond the grant as insufficient_scope, naming them", () => {
    const failure = failureOf(() =>
      narrowScopes(granted, [TOKENS_WRITE, "billing:admin", "users:delete"]),
    );

    expect(failure.code).toBe("insufficient_scope");
    expect(failure.message).toContain("billing:admin");
    expect(failure.message).toContain("users:delete");
    expect(failure.message).not.toContain(TOKENS_WRITE);
  });

  it("refuses everything beyond an empty grant", () => {
    expect(failureOf(() => narrowScopes([], [TOKENS_WRITE])).code).toBe("insufficient_scope");
  });

  it("refuses a malformed scope as invalid_request", () => {
    expect(failureOf(() => narrowScopes(granted, ["Reports:Read"])).code).toBe("invalid_request");
  });

  it("returns exactly the subset asked for, sorted, for any subset of any grant", () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(scopeName, { maxLength: 20 })
          .chain((grant) =>
            fc.tuple(fc.constant(grant), fc.shuffledSubarray(grant), fc.subarray(grant)),
          ),
        ([grant, subset, repeated]) => {
          const asked = [...subset, ...repeated.filter((scope) => subset.includes(scope))];

          expect(narrowScopes(grant, asked)).toEqual([...subset].sort());
        },
      ),
    );
  });

  it("refuses any request holding a scope outside the grant", () => {
    fc.assert(
      fc.property(fc.uniqueArray(scopeName, { minLength: 1, maxLength: 20 }), (names) => {
        const [extra, ...grant] = names;
        fc.pre(extra !== undefined);
        const asked = [...grant, extra ?? ""];

        const failure = failureOf(() => narrowScopes(grant, asked));
        expect(failure.code).toBe("insufficient_scope");
        expect(failure.message).toContain(extra);
      }),
    );
  });
});
