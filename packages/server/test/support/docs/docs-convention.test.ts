import { describe, expect, it } from "vitest";
import { compareOutput } from "./compare.js";
import { parsePage, serverSettings } from "./markdown.js";

describe("comparing a command's output with its page", () => {
  it("accepts the same JSON, compact on the page and indented in the output", () => {
    expect(
      compareOutput('{"status":"ok","n":[1,2]}', '{\n  "status": "ok",\n  "n": [1, 2]\n}'),
    ).toBe(undefined);
  });

  it("refuses a changed message, naming the line of each side", () => {
    const difference = compareOutput(
      '{"status":"error","message":"Refresh token has been revoked"}',
      '{"status":"error","message":"Invalid refresh token"}',
    );
    expect(difference).toContain('"message": "Refresh token has been revoked"');
    expect(difference).toContain('"message": "Invalid refresh token"');
  });

  it("refuses a member the page does not show, and members in another order", () => {
    expect(compareOutput('{"a":1}', '{"a":1,"b":2}')).toBeDefined();
    expect(compareOutput('{"a":1,"b":2}', '{"b":2,"a":1}')).toBeDefined();
  });

  it("takes tokens, ids, keys and times that change every run as their patterns", () => {
    const page =
      '{"token":"eyJhbGciOiJFUzI1NiIs…","rt":"tsr_rt_9BQkKbeUfT9J…172It5","sid":"f4cd0c48-6eea-496e-bc65-6964c54d92f9","at":"2026-11-22T07:03:30.338Z","exp":1795334613000,"kid":"3T6UFmAX7Ty_aoFi0ln5Y1Eht_WM_seSWt1CzVvBHPc"}';
    const output =
      '{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln","rt":"tsr_rt_Zk1oFz2rQm0W9tH3yV8nB4cX6aL7pS5dE1gJ2hK3uI9","sid":"0b0e9a58-4c0e-4d7e-9a8e-1f2e3d4c5b6a","at":"2027-01-01T00:00:00.000Z","exp":1800000000000,"kid":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}';
    expect(compareOutput(page, output)).toBeUndefined();
    expect(compareOutput(page, output.replace("tsr_rt_", "tsr_ak_"))).toBeDefined();
  });

  it("reads … as any text in a line, and a line of … as any number of lines", () => {
    expect(compareOutput("API key … for client …", "API key ak_x for client y")).toBeUndefined();
    expect(compareOutput("first\n…\nlast", "first\na\nb\nlast")).toBeUndefined();
    expect(compareOutput("first\n…\nlast", "first\na\nb\nlater")).toBeDefined();
  });

  it("checks an HTTP answer's status line and the headers shown, in any order", () => {
    const output =
      "HTTP/1.1 401 Unauthorized\r\nx-request-id: 1\r\ncache-control: no-store\r\ncontent-type: application/json\r\n\r\n" +
      '{"status":"error","message":"Missing or invalid X-API-Key"}';
    const page = [
      "HTTP/1.1 401 Unauthorized",
      "content-type: application/json",
      "cache-control: no-store",
      "",
      '{"status":"error","message":"Missing or invalid X-API-Key"}',
    ].join("\n");
    expect(compareOutput(page, output)).toBeUndefined();
    expect(compareOutput(page.replace("401 Unauthorized", "403 Forbidden"), output)).toContain(
      "status line",
    );
    expect(compareOutput(page.replace("no-store", "no-cache"), output)).toContain("cache-control");
    expect(compareOutput(`${page.split("\n\n")[0]}\npragma: no-cache\n\n{}`, output)).toContain(
      "no pragma",
    );
  });

  it("compares rows as a set only where the page says their order is not fixed", () => {
    expect(compareOutput("b 1\na 2", "a 2\nb 1")).toBeDefined();
    expect(compareOutput("b 1\na 2", "a 2\nb 1", { unordered: true })).toBeUndefined();
    expect(compareOutput("b 1\na 2", "a 2\nb 3", { unordered: true })).toBeDefined();
  });
});

describe("reading a page's examples", () => {
  it("pairs each command block with the output blocks right after it", () => {
    const page = parsePage(
      [
        "```sh",
        "curl -s http://127.0.0.1:8080/healthz",
        "```",
        "",
        "```json",
        '{"status":"ok"}',
        "```",
        "",
        "Prose, then a block that is not an output of the command above:",
        "",
        "```json",
        "{}",
        "```",
      ].join("\n"),
    );
    expect(page.steps).toEqual([
      expect.objectContaining({ kind: "run", line: 1, expected: '{"status":"ok"}' }),
    ]);
  });

  it("refuses a skipped block without a reason, and a marker it does not know", () => {
    expect(() => parsePage("<!-- docs-test: skip -->\n```sh\nnpm run bench\n```")).toThrow(
      /needs a reason/,
    );
    expect(() => parsePage("<!-- docs-test: sometimes -->\n```sh\ntrue\n```")).toThrow(
      /unknown docs-test marker/,
    );
  });

  it("reads the settings a server block starts the server with", () => {
    expect(
      serverSettings(
        "TESSERA_ADMIN_USERNAME=HDB_ADMIN TESSERA_ADMIN_PASSWORD='long password' npm start",
      ),
    ).toEqual({ TESSERA_ADMIN_USERNAME: "HDB_ADMIN", TESSERA_ADMIN_PASSWORD: "long password" });
    expect(serverSettings("npm install && npm start   # a server\nnpm test")).toEqual({});
  });

  it("reads captures, files and hidden commands", () => {
    const page = parsePage(
      [
        "<!-- docs-test: run",
        "npx tessera-auth init",
        "-->",
        "<!-- docs-test: capture tsr_ak_... = /tsr_ak_\\w+/ -->",
        "```sh",
        "npx tessera-auth apikey create",
        "```",
        "<!-- docs-test: file otp.mjs -->",
        "```js",
        "console.log(1);",
        "```",
      ].join("\n"),
    );
    expect(page.steps.map((step) => step.kind)).toEqual(["hidden", "run"]);
    expect(page.steps[1]).toMatchObject({
      captures: [{ literal: "tsr_ak_...", pattern: /tsr_ak_\w+/ }],
    });
    expect(page.files.get("otp.mjs")).toBe("console.log(1);\n");
  });
});
