// The page's state in one object, and who to tell when it changes. Views read `store.state` and re-render the
// parts they own; nothing else keeps a copy. Listeners run synchronously, so what the page shows (e.g. "unsynced
// changes") is never behind the state that the last keystroke produced.

export function createStore(initial) {
  const listeners = new Set();
  let notifying = false;
  let again = false;
  const store = {
    state: { ...initial },
    /** Merges `patch` (or what `patch(state)` answers) into the state and tells every listener. */
    set(patch) {
      Object.assign(store.state, typeof patch === 'function' ? patch(store.state) : patch);
      if (notifying) {
        // A listener changed the state: tell everyone again once this round is over.
        again = true;
        return;
      }
      notifying = true;
      try {
        do {
          again = false;
          for (const listener of [...listeners]) listener(store.state);
        } while (again);
      } finally {
        notifying = false;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return store;
}
