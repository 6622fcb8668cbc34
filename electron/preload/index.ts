// Exposes exactly the typed Layerwise API to the page, nothing else. The API contract arrives with the
// host issue; for now the page gets the app's version so it can show it.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('layerwise', Object.freeze({ version: '0.1.0' }));
