// Port forwards: 127.0.0.1:<local port> over a connection to a port on (or reachable from) the
// instance; they wait out a reconnect with the listening socket kept.
import { z } from 'zod';
import type { ForwardInfo } from '../models';
import { empty, hostAddress, id, method, port, userText } from './define';

export const forwardMethods = {
  'forwards.list': method(empty, 'Every port forward.').returns<ForwardInfo[]>(),

  'forwards.add': method(
    z
      .object({
        connectionId: id('connectionId'),
        remotePort: port,
        /** `localhost`, a host name, an IPv4 address or an IPv6 literal (as seen from the instance). */
        remoteHost: hostAddress.default('127.0.0.1'),
        /** Omit for the same number as the remote port when free, else the next free one. */
        localPort: port.optional(),
        label: userText(80).optional(),
      })
      .strict(),
    'Forwards 127.0.0.1:<localPort> over the connection to <remoteHost>:<remotePort> on the instance.',
  ).returns<ForwardInfo>(),

  'forwards.remove': method(
    z.object({ forwardId: id('forwardId') }).strict(),
    'Closes a forward and every socket it owns.',
  ).returns<void>(),
} as const;

export interface ForwardEvents {
  /** The forwards changed (added, removed, waiting, active, socket counts); the whole list. */
  'forwards.onDidChange': ForwardInfo[];
}

export const forwardEventNames = [
  'forwards.onDidChange',
] as const satisfies readonly (keyof ForwardEvents)[];
