// One-line summaries of layers, shared by the CLI's table and the editor's cards (each descriptor writes its own).
import { layerDescriptor, type LayerSpec } from '../layers/registry.js';

export function describeLayer(layer: LayerSpec): string {
  return layerDescriptor(layer.type).describe(layer);
}
