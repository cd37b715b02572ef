import { describe, expect, it } from "vitest";
import { normaliseLine } from "./compare.js";

describe("normaliseLine", () => {
  it("takes a secret holding eyJ for a secret, not for a JWT", () => {
    expect(
      normaliseLine('"token": "tsr_lt_4YX4OFSD8SuNbICHiy4jtpl3qnJrY6zsceyJEHfMrIr2dMCUN",'),
    ).toBe('"token": "tsr_lt_<secret>",');
  });

  it("still replaces a JWT, shortened on the page or whole", () => {
    expect(normaliseLine('{"access_token":"eyJ…","id_token":"eyJhbGciOi.eyJzdWIi.c2ln"}')).toBe(
      '{"access_token":"<jwt>","id_token":"<jwt>"}',
    );
  });
});
