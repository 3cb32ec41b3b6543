// `jupyter.open`: the user's Jupyter on the connection's instance, reached through a forward on
// a local port that stays the same per pool, user and mode (remembered in the settings).
import { ErrorCode, isRpcError } from '../../common/errors';
import type { JupyterInfo } from '../../common/models';
import type { ConnectionService } from '../sessions/connection-service';
import type { SettingsStore } from '../settings/settings-store';
import type { ForwardService } from '../ssh/forward-service';
import type { JupyterMode, JupyterService } from './jupyter-service';
import { jupyterUrl } from './jupyter-url';

export interface JupyterOpenerDeps {
  connections: ConnectionService;
  forwards: ForwardService;
  jupyter: JupyterService;
  settings: SettingsStore;
}

export class JupyterOpener {
  constructor(private readonly deps: JupyterOpenerDeps) {}

  async open(connectionId: string, mode: JupyterMode, signal?: AbortSignal): Promise<JupyterInfo> {
    const { connections, forwards, jupyter, settings } = this.deps;
    const { info, connection } = connections.get(connectionId);
    const remote = await jupyter.discoverOrStart(connection, {
      mode,
      signal,
      instanceName: info.instanceName,
    });
    const key = `${info.poolId} ${info.user} ${mode}`;
    const label = mode === 'hub' ? 'JupyterHub' : 'Jupyter';
    // The same server on the same connection already has its forward: reuse it.
    let forward = forwards
      .list()
      .find(
        (f) =>
          f.connectionId === connectionId &&
          f.kind === 'jupyter' &&
          f.remotePort === remote.remotePort &&
          f.remoteHost === remote.remoteHost,
      );
    if (!forward) {
      const spec = {
        connectionId,
        poolId: info.poolId,
        instanceName: info.instanceName,
        remoteHost: remote.remoteHost,
        remotePort: remote.remotePort,
        label,
        kind: 'jupyter' as const,
      };
      // An old Jupyter forward of this pool (another connection) holds the port: free it first.
      const remembered = settings.get().jupyterPorts[key];
      for (const old of forwards.list()) {
        if (old.kind === 'jupyter' && old.localPort === remembered && old.poolId === info.poolId) {
          forwards.remove(old.id);
        }
      }
      try {
        forward = await forwards.add({ ...spec, localPort: remembered });
      } catch (err) {
        // Someone else took the remembered port: the next free one, remembered from now on.
        if (remembered === undefined || !isRpcError(err, ErrorCode.BadInput)) throw err;
        forward = await forwards.add(spec);
      }
      const port = forward.localPort;
      if (remembered !== port) {
        await settings.update((s) => ({ ...s, jupyterPorts: { ...s.jupyterPorts, [key]: port } }));
      }
    }
    return {
      connectionId,
      forwardId: forward.id,
      mode,
      localPort: forward.localPort,
      url: jupyterUrl(remote, forward.localPort),
      started: remote.started,
      notebookDir: remote.notebookDir,
    };
  }
}
