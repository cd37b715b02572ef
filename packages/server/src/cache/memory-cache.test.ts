import { describeCacheConformance } from "./conformance/cache-conformance.js";
import { MemoryCache } from "./memory-cache.js";

// One process holds the counters: an instance's "peer" is itself.
describeCacheConformance("memory", {
  backend: "memory",
  shared: false,
  open: async (now) => {
    const cache = new MemoryCache(now);
    return { cache, peer: async () => cache };
  },
});
