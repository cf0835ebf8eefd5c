// Shared open documents: several views (the editor, the facilitator's grid) may show the same document, while
// CollabClient keeps one DocumentClient per document with one set of handlers. This registry opens a document once,
// fans its events out to every view that acquired it, and closes it when the last one releases it.

export class DocumentRegistry {
  constructor(collab, { onUnsyncedChanged } = {}) {
    this.collab = collab;
    this._entries = new Map(); // docId -> { doc promise, listeners:Set }
    this._onUnsyncedChanged = onUnsyncedChanged ?? null;
  }

  /**
   * Opens (or shares) `docId`; `listener` may have onChange, onPresence, onLockChanged, onAccessChanged, onError,
   * onUnsyncedChanged.
   */
  async acquire(docId, listener) {
    let entry = this._entries.get(docId);
    if (!entry) {
      const listeners = new Set();
      const each = (name) => (...args) => {
        for (const l of [...listeners]) l[name]?.(...args);
        if (name === 'onUnsyncedChanged') this._onUnsyncedChanged?.(this.anyUnsynced);
      };
      entry = { listeners, doc: null, opened: null };
      entry.opened = this.collab
        .openDocument(docId, {
          onChange: each('onChange'),
          onPresence: each('onPresence'),
          onLockChanged: each('onLockChanged'),
          onAccessChanged: each('onAccessChanged'),
          onError: each('onError'),
          onUnsyncedChanged: each('onUnsyncedChanged'),
        })
        .then((doc) => {
          entry.doc = doc;
          return doc;
        });
      this._entries.set(docId, entry);
      entry.opened.catch(() => {
        if (this._entries.get(docId) === entry) this._entries.delete(docId);
      });
    }
    entry.listeners.add(listener);
    try {
      return await entry.opened;
    } catch (err) {
      entry.listeners.delete(listener);
      throw err;
    }
  }

  /**
   * Stops delivering to `listener`. The last release closes the document once its local changes are committed (never
   * abandoning an edit); acquiring it again before then keeps it open, with its handlers.
   */
  release(docId, listener) {
    const entry = this._entries.get(docId);
    if (!entry) return;
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0) return;
    entry.opened
      .then((doc) => doc.whenSynced())
      .then(
        () => {
          if (entry.listeners.size > 0 || this._entries.get(docId) !== entry) return;
          this._entries.delete(docId);
          this.collab.closeDocument(docId);
        },
        () => {},
      );
  }

  /** True while any open document holds a change the server has not acknowledged. */
  get anyUnsynced() {
    for (const doc of this.collab.documents.values()) if (doc.hasUnsyncedChanges) return true;
    return false;
  }

  get openCount() {
    return this._entries.size;
  }
}
