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
  /**
   * From now until the next {@link TcpProxy.cut}, forwards nothing clients
   * send (the service's answers still come back): it is held, as if the
   * network stalled on the way to the service, and dropped by the cut.
   */
  hold(): void;
  /**
   * Resolves once `connections` connections have sent something that is
   * being held: that many clients are waiting on the service at once.
   */
  whenHolding(connections: number): Promise<void>;
  /** Listens again on the same port, forwarding everything again. */
  reopen(): Promise<void>;
  /** Cuts it for good. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let holding = false;
  /** The client connections whose data is being held. */
  const held = new Set<Socket>();
  let heldChanged = () => {};

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
      client.on("data", (chunk: Buffer) => {
        if (!holding) {
          upstream.write(chunk);
        } else if (!held.has(client)) {
          held.add(client);
          heldChanged();
        }
      });
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
    holding = false;
    held.clear();
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
    hold: () => {
      holding = true;
    },
    whenHolding: (connections) =>
      new Promise<void>((resolve) => {
        heldChanged = () => {
          if (held.size >= connections) {
            heldChanged = () => {};
            resolve();
          }
        };
        heldChanged();
      }),
    reopen: async () => {
      if (server === undefined) {
        await listen();
      }
    },
    close: cut,
  };
}
