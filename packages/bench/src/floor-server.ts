/**
 * The floor: a bare fastify server that parses a JSON POST and answers a
 * fixed JSON body. Nothing Tessera does per request is here, so a scenario's
 * ratio to it is the share of this machine's HTTP capacity that Tessera keeps.
 */
import Fastify from "fastify";

const app = Fastify({ logger: false });
const answer = { status: "ok", message: "floor" };
app.post("/", async () => answer);
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
const port = typeof address === "object" && address !== null ? address.port : 0;
process.stderr.write(`Floor is listening on http://127.0.0.1:${port}\n`);
process.once("SIGTERM", () => {
  void app.close().then(() => process.exit(0));
});
