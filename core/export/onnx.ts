// TF.js layers models → one ONNX graph (opset 13), built with onnx-proto's protobufjs classes. The graph
// takes NHWC input like the tfjs model (one Transpose to NCHW at the input), runs every conv and pool in
// ONNX's NCHW layout (kernels converted to [out, in, kh, kw]) and transposes back before a Flatten, so the
// flattened feature order matches tfjs. Sequences [N, T, F] keep tfjs's layout; token ids enter as int64. Several members (an ensemble) become one graph that averages the
// members' outputs with a Mean node. Each tfjs class's nodes come from the layer type that owns it
// (core/engine/layers/); a class without an ONNX form is refused naming the layer.
import * as tfl from '@tensorflow/tfjs-layers';
import onnxProto from 'onnx-proto';
import type { OnnxContext, OnnxValue } from '../engine/layers/builder.js';
import { tfjsClass } from '../engine/layers/registry.js';

const { onnx } = onnxProto;

export const ONNX_OPSET = 13;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';

/** A layer the exporter has no ONNX form for; names the layer so the user knows which card stops it. */
export class UnsupportedLayerError extends Error {
  constructor(
    readonly layerName: string,
    readonly className: string,
    detail = '',
  ) {
    super(`layer "${layerName}" (${className}) cannot be exported to ONNX${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedLayerError';
  }
}

type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;
type AttributeProto = InstanceType<typeof onnx.AttributeProto>;

/** A value in the graph; 4-D values are held as NCHW. */
type Value = OnnxValue;

class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private used = new Set<string>();

  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  node(op: string, inputs: string[], base: string, attributes: AttributeProto[] = []): string {
    return this.nodeOutputs(op, inputs, base, 1, attributes)[0]!;
  }

  nodeOutputs(op: string, inputs: string[], base: string, count: number, attributes: AttributeProto[] = []): string[] {
    const outputs = Array.from({ length: count }, (_, i) => this.unique(`${base}/${op}${i ? `_${i}` : ''}`));
    this.nodes.push(onnx.NodeProto.create({ opType: op, input: inputs, output: outputs, name: this.unique(`${base}/${op}_node`), attribute: attributes }));
    return outputs;
  }

  int64s(base: string, values: number[]): string {
    const name = this.unique(base);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) }),
    );
    return name;
  }

  weight(base: string, data: Float32Array, dims: number[]): string {
    const name = this.unique(base);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
      }),
    );
    return name;
  }
}

const ints = (name: string, values: number[]) =>
  onnx.AttributeProto.create({ name, ints: values, type: onnx.AttributeProto.AttributeType.INTS });
const int = (name: string, value: number) => onnx.AttributeProto.create({ name, i: value, type: onnx.AttributeProto.AttributeType.INT });
const float = (name: string, value: number) => onnx.AttributeProto.create({ name, f: value, type: onnx.AttributeProto.AttributeType.FLOAT });
const string = (name: string, value: string) => onnx.AttributeProto.create({ name, s: new TextEncoder().encode(value), type: onnx.AttributeProto.AttributeType.STRING });
const strings = (name: string, values: string[]) =>
  onnx.AttributeProto.create({ name, strings: values.map((v) => new TextEncoder().encode(v)), type: onnx.AttributeProto.AttributeType.STRINGS });

/** tfjs 'same' padding: total = max((ceil(in/s) - 1)·s + k - in, 0), the extra pixel at the end. */
function pads(padding: string, input: [number, number], kernel: [number, number], strides: [number, number]): number[] {
  if (padding !== 'same') return [0, 0, 0, 0];
  const total = [0, 1].map((a) => Math.max((Math.ceil(input[a]! / strides[a]!) - 1) * strides[a]! + kernel[a]! - input[a]!, 0));
  return [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2), total[0]! - Math.floor(total[0]! / 2), total[1]! - Math.floor(total[1]! / 2)];
}

function activation(g: GraphBuilder, name: string, x: Value, base: string, alpha?: number): Value {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return { ...x, name: g.node('Relu', [x.name], base) };
    case 'sigmoid':
      return { ...x, name: g.node('Sigmoid', [x.name], base) };
    case 'tanh':
      return { ...x, name: g.node('Tanh', [x.name], base) };
    case 'elu':
      return { ...x, name: g.node('Elu', [x.name], base, [float('alpha', alpha ?? 1)]) };
    case 'leakyrelu':
    case 'leakyRelu':
      return { ...x, name: g.node('LeakyRelu', [x.name], base, [float('alpha', alpha ?? 0.3)]) };
    case 'softmax':
      // tfjs applies softmax on the last axis: channels, which is axis 1 in NCHW.
      return { ...x, name: g.node('Softmax', [x.name], base, [int('axis', x.rank === 4 ? 1 : -1)]) };
    default:
      throw new UnsupportedLayerError(base, 'Activation', `activation "${name}" has no ONNX form here`);
  }
}

/** The (single) input shape of a layer: tfjs gives either one shape or a list of them. */
function inputShapeOf(layer: tfl.layers.Layer): number[] {
  const shapes = layer.inboundNodes[0]!.inputShapes as unknown as Array<number | null> | Array<Array<number | null>>;
  return (Array.isArray(shapes[0]) ? shapes[0] : shapes) as number[];
}

function weightsOf(layer: tfl.layers.Layer): Array<{ data: Float32Array; shape: number[] }> {
  return layer.getWeights().map((w) => ({ data: w.dataSync() as Float32Array, shape: w.shape.slice() }));
}

/** Emits one tfjs model's layers into the graph, from `input` (NCHW for images); returns its output. */
function emitModel(g: GraphBuilder, model: tfl.LayersModel, input: Value, prefix: string): Value {
  const values = new Map<string, Value>();
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const base = `${prefix}${layer.name}`;
    if (className === 'InputLayer') {
      values.set(layer.name, input);
      continue;
    }
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const inputs = inbound.map((l) => {
      const v = values.get(l.name);
      if (!v) throw new UnsupportedLayerError(layer.name, className, `its input "${l.name}" was not produced`);
      return v;
    });
    const rule = tfjsClass(className)?.rules.onnx;
    if (!rule) throw new UnsupportedLayerError(layer.name, className);
    if ('refuse' in rule) throw new UnsupportedLayerError(layer.name, className, rule.refuse);
    values.set(layer.name, rule(inputs, onnxContext(g, layer, base)));
  }
  const outputLayer = model.outputLayers[0]!;
  const out = values.get(outputLayer.name)!;
  if (out.rank !== 2) throw new UnsupportedLayerError(outputLayer.name, outputLayer.getClassName(), 'the model output must be flat ([batch, units])');
  return out;
}

/** What a layer type's ONNX rule may use: the graph, named under the layer, and the layer's own facts. */
function onnxContext(g: GraphBuilder, layer: tfl.layers.Layer, base: string): OnnxContext {
  const inputShape = inputShapeOf(layer);
  return {
    base,
    config: layer.getConfig() as Record<string, unknown>,
    inputShape,
    weights: () => weightsOf(layer),
    node: (op, inputs, attributes = []) => g.node(op, inputs, base, attributes as AttributeProto[]),
    nodeOutputs: (op, inputs, count, attributes = []) => g.nodeOutputs(op, inputs, base, count, attributes as AttributeProto[]),
    weight: (suffix, data, dims) => g.weight(`${base}/${suffix}`, data, dims),
    int64s: (suffix, values) => g.int64s(`${base}/${suffix}`, values),
    ints,
    string,
    strings,
    int,
    float,
    activation: (name, x, alpha) => activation(g, name, x, base, alpha),
    pads: (padding, kernel, strides) => pads(padding, [inputShape[1]!, inputShape[2]!], kernel, strides),
    unsupported: (detail) => new UnsupportedLayerError(layer.name, layer.getClassName(), detail),
  };
}

export interface OnnxOptions {
  /** Name written into the model (the producer and the graph). */
  name: string;
  /** Free-form key/value metadata (input scaling, class names, …). */
  metadata?: Record<string, string>;
  /**
   * The input holds integer token ids: the graph takes them as int64 (what an ONNX consumer feeds a text model)
   * and casts them to float inside, as the tfjs model holds them, for the embedding's Gather to cast back.
   */
  tokens?: boolean;
}

/**
 * Converts one or more tfjs models with the same input and output shapes to ONNX bytes. With several
 * models the graph outputs their mean (an ensemble's averaged probabilities).
 */
export function toOnnx(models: readonly tfl.LayersModel[], options: OnnxOptions): Uint8Array {
  if (models.length === 0) throw new Error('no model to export');
  const g = new GraphBuilder();
  const inputShape = models[0]!.inputs[0]!.shape.slice(1) as number[];
  const rank = inputShape.length + 1;
  if (rank < 2 || rank > 4) throw new Error(`inputs of shape [${inputShape.join(', ')}] are not supported (need [features], [steps, features] or [h, w, c])`);
  g.unique(ONNX_INPUT);
  let input: Value = { name: ONNX_INPUT, rank };
  // Images run in ONNX's NCHW layout; sequences [N, T, F] stay as they are (each 1-D op transposes around itself).
  if (rank === 4) input = { name: g.node('Transpose', [ONNX_INPUT], 'input', [ints('perm', [0, 3, 1, 2])]), rank };
  if (options.tokens) input = { name: g.node('Cast', [ONNX_INPUT], 'input', [int('to', onnx.TensorProto.DataType.FLOAT)]), rank };
  const outputs = models.map((model, i) => emitModel(g, model, input, models.length > 1 ? `member${i}/` : ''));
  const units = models[0]!.outputs[0]!.shape[1] as number;
  const last = outputs.length > 1 ? g.node('Mean', outputs.map((o) => o.name), 'ensemble') : outputs[0]!.name;
  g.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [last], output: [ONNX_OUTPUT], name: 'output' }));

  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const valueInfo = (name: string, dims: Array<number | string>, elemType: number = onnx.TensorProto.DataType.FLOAT) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: dims.map(dim) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'layerwise',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: onnx.GraphProto.create({
      name: options.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, ['batch', ...inputShape], options.tokens ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT)],
      output: [valueInfo(ONNX_OUTPUT, ['batch', units])],
    }),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  const error = onnx.ModelProto.verify(model);
  if (error) throw new Error(`the ONNX model is malformed: ${error}`);
  return onnx.ModelProto.encode(model).finish();
}
