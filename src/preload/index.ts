// The preload: asks main for the RPC MessagePort and hands it to the page. Exposes nothing else.
//
// No contextBridge and no globals: the page's only way to the app is this one port, served by
// the core's RPC server, which validates every call (src/common/contract/).
// https://www.electronjs.org/docs/latest/tutorial/message-ports#communicating-directly-between-the-main-process-and-the-main-world-of-a-context-isolated-page
import { ipcRenderer } from 'electron';

// Same strings as src/main/ipc-channels.ts (the preload may not import src/main).
const HELLO_CHANNEL = 'dsvm-pool:hello';
const PORT_CHANNEL = 'dsvm-pool:port';

ipcRenderer.once(PORT_CHANNEL, (event) => {
  // The page's module scripts run before DOMContentLoaded and set up their listener then, so
  // wait for it: a port posted earlier would reach nobody.
  // '*' because a file:// page's origin is opaque ("null") and cannot be named; the message
  // only goes to this window, the one this preload belongs to.
  const forward = () => window.postMessage(PORT_CHANNEL, '*', event.ports);
  if (document.readyState === 'loading') {
    window.addEventListener('DOMContentLoaded', forward, { once: true });
  } else {
    forward();
  }
});

ipcRenderer.send(HELLO_CHANNEL);
