// Helpers shared by the node tests (not a test file itself).

/** A small seeded PRNG: the same seed gives the same run. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lets pending promise continuations run. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));

/** The handler registration surface of a SignalR HubConnection, shared by the fake connections. */
export class FakeHubConnection {
  constructor() {
    this.handlers = new Map();
    this.cbs = { reconnecting: [], reconnected: [], close: [] };
  }
  on(name, fn) {
    if (!this.handlers.has(name)) this.handlers.set(name, []);
    this.handlers.get(name).push(fn);
  }
  onreconnecting(fn) {
    this.cbs.reconnecting.push(fn);
  }
  onreconnected(fn) {
    this.cbs.reconnected.push(fn);
  }
  onclose(fn) {
    this.cbs.close.push(fn);
  }
}
