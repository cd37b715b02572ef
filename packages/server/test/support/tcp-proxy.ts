import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a service, which a test can cut and restore: the
 * service stays up for everyone else while the process under test loses it.
 */
export interface TcpProxy {
  /** The port the proxy listens on; the same after {@link TcpProxy.reopen}. */
  readonly port: number;
  /**
   * Stops listening and destroys every connection through it: open
   * connections are dropped and new ones refused, as when the service's
   * host goes away.
   */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  /** Cuts it for good. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    const next = createServer((client) => {
      const upstream = createConnection(target);
      sockets.add(client);
      sockets.add(upstream);
      const drop = () => {
        sockets.delete(client);
        sockets.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on("error", drop);
      upstream.on("error", drop);
      client.on("close", drop);
      upstream.on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        next.off("error", reject);
        resolve();
      });
    });
    const address = next.address();
    port = typeof address === "object" && address !== null ? address.port : port;
    server = next;
  };

  const cut = async () => {
    const current = server;
    server = undefined;
    for (const socket of sockets) {
      socket.destroy();
    }
    sockets.clear();
    if (current !== undefined) {
      await new Promise<void>((resolve) => current.close(() => resolve()));
    }
  };

  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    reopen: async () => {
      if (server === undefined) {
        await listen();
      }
    },
    close: cut,
  };
}
