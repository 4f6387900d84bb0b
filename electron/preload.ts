// Runs in the sandboxed renderer before the page. A sandboxed preload may require only
// 'electron', so everything else here is type-only or inlined by the bundler.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Envelope } from '../shared/errors';
import type { Bridge } from '../shared/transport';
import { eventChannel, requestChannel } from './shell/security';

// The page gets these two functions, never ipcRenderer itself, so it can reach only the
// contract's two channels.
const bridge: Bridge = {
  invoke(method, params) {
    return ipcRenderer.invoke(requestChannel, method, params) as Promise<Envelope<unknown>>;
  },
  onEvent(listener) {
    const forward = (_event: IpcRendererEvent, event: string, payload: unknown): void => listener(event, payload);
    ipcRenderer.on(eventChannel, forward);
    return () => {
      ipcRenderer.removeListener(eventChannel, forward);
    };
  },
};

contextBridge.exposeInMainWorld('jmapBridge', bridge);
