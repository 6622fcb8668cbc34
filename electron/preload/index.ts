// The sandboxed preload (built as CommonJS, out/preload/index.cjs): exposes exactly the typed Layerwise API
// as `window.layerwise` (./bridge.ts), nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('layerwise', createBridge(ipcRenderer));
