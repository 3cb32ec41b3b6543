// The two IPC channel names of the MessagePort handoff between main and the preload.
//
// src/preload/index.ts repeats these strings: the lint layering rule keeps the preload from
// importing src/main, and the preload must stay a single self-contained file.

/** Preload → main: "this page wants a port". */
export const HELLO_CHANNEL = 'dsvm-pool:hello';
/** Main → preload (and preload → page via window.postMessage): carries the port. */
export const PORT_CHANNEL = 'dsvm-pool:port';
