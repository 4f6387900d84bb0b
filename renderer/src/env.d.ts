import type { Bridge } from '../../shared/transport';

declare global {
  interface Window {
    /** Exposed by the Electron preload via contextBridge; absent in a plain browser. */
    jmapBridge?: Bridge;
  }
}

export {};
