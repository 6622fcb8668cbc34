// TF.js layers models → one ONNX graph (opset 13), built with onnx-proto's protobufjs classes. The graph
// takes NHWC input like the tfjs model (one Transpose to NCHW at the input), runs every conv and pool in
// ONNX's NCHW layout (kernels converted to [out, in, kh, kw]) and transposes back before a Flatten, so the
// flattened feature order matches tfjs. Several members (an ensemble) become one graph that averages the
// members' outputs with a Mean node.
import * as tfl from '@tensorflow/tfjs-layers';
import onnxProto from 'onnx-proto';

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

interface Value {
  name: string;
  /** Rank of the tfjs tensor (2 = [N, F], 4 = [N, H, W, C]); 4-D values are held as NCHW in the graph. */
  rank: number;
}

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
    const output = this.unique(`${base}/${op}`);
    this.nodes.push(onnx.NodeProto.create({ opType: op, input: inputs, output: [output], name: this.unique(`${base}/${op}_node`), attribute: attributes }));
    return output;
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

/** NHWC [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
function convKernel(data: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let h = 0; h < kh!; h++)
    for (let w = 0; w < kw!; w++)
      for (let i = 0; i < cin!; i++)
        for (let o = 0; o < cout!; o++) out[((o * cin! + i) * kh! + h) * kw! + w] = data[((h * kw! + w) * cin! + i) * cout! + o]!;
  return out;
}

/** tfjs 'same' padding: total = max((ceil(in/s) - 1)·s + k - in, 0), the extra pixel at the end. */
function pads(padding: string, input: [number, number], kernel: [number, number], strides: [number, number]): number[] {
  if (padding !== 'same') return [0, 0, 0, 0];
  const total = [0, 1].map((a) => Math.max((Math.ceil(input[a]! / strides[a]!) - 1) * strides[a]! + kernel[a]! - input[a]!, 0));
  return [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2), total[0]! - Math.floor(total[0]! / 2), total[1]! - Math.floor(total[1]! / 2)];
}

const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0]!, v[1] ?? v[0]!] : [v, v]);

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

/** The name of a tfjs activation object as in its config (`relu`, `linear`, …). */
function activationName(layer: tfl.layers.Layer): string {
  const config = layer.getConfig() as { activation?: string };
  return config.activation ?? 'linear';
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
    const x = inputs[0]!;
    const config = layer.getConfig() as Record<string, unknown>;
    let y: Value;
    switch (className) {
      case 'Dense': {
        if (x.rank !== 2) throw new UnsupportedLayerError(layer.name, className, 'only dense layers on flat inputs are supported');
        const [kernel, bias] = weightsOf(layer);
        const args = [x.name, g.weight(`${base}/kernel`, kernel!.data, kernel!.shape)];
        if (bias) args.push(g.weight(`${base}/bias`, bias.data, bias.shape));
        else args.push(g.weight(`${base}/bias`, new Float32Array(kernel!.shape[1]!), [kernel!.shape[1]!]));
        y = activation(g, activationName(layer), { name: g.node('Gemm', args, base), rank: 2 }, base);
        break;
      }
      case 'Conv2D': {
        const [kernel, bias] = weightsOf(layer);
        const inShape = inputShapeOf(layer);
        const kernelSize = pair(config.kernelSize as number | number[]);
        const strides = pair(config.strides as number | number[]);
        const dilation = pair((config.dilationRate as number | number[] | undefined) ?? 1);
        if (dilation[0] !== 1 || dilation[1] !== 1) throw new UnsupportedLayerError(layer.name, className, 'dilated convolutions are not supported');
        const args = [x.name, g.weight(`${base}/kernel`, convKernel(kernel!.data, kernel!.shape), [kernel!.shape[3]!, kernel!.shape[2]!, kernel!.shape[0]!, kernel!.shape[1]!])];
        if (bias) args.push(g.weight(`${base}/bias`, bias.data, bias.shape));
        const conv = g.node('Conv', args, base, [
          ints('kernel_shape', kernelSize),
          ints('strides', strides),
          ints('pads', pads(config.padding as string, [inShape[1]!, inShape[2]!], kernelSize, strides)),
        ]);
        y = activation(g, activationName(layer), { name: conv, rank: 4 }, base);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const inShape = inputShapeOf(layer);
        const poolSize = pair(config.poolSize as number | number[]);
        const strides = pair((config.strides as number | number[] | null) ?? poolSize);
        const attributes = [
          ints('kernel_shape', poolSize),
          ints('strides', strides),
          ints('pads', pads(config.padding as string, [inShape[1]!, inShape[2]!], poolSize, strides)),
        ];
        // tfjs averages over the real pixels only: ONNX's count_include_pad = 0 (its default) does the same.
        y = { name: g.node(className === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x.name], base, attributes), rank: 4 };
        break;
      }
      case 'GlobalAveragePooling2D': {
        const pooled = g.node('GlobalAveragePool', [x.name], base);
        y = { name: g.node('Flatten', [pooled], base, [int('axis', 1)]), rank: 2 };
        break;
      }
      case 'Flatten': {
        if (x.rank === 2) {
          y = x;
          break;
        }
        // Back to NHWC first so the flattened order is tfjs's.
        const nhwc = g.node('Transpose', [x.name], base, [ints('perm', [0, 2, 3, 1])]);
        y = { name: g.node('Flatten', [nhwc], base, [int('axis', 1)]), rank: 2 };
        break;
      }
      case 'Dropout':
        y = x; // identity at inference
        break;
      case 'BatchNormalization': {
        const axis = config.axis as number;
        if (axis !== -1 && axis !== x.rank - 1) throw new UnsupportedLayerError(layer.name, className, `only the channel axis is supported (got axis ${axis})`);
        const w = weightsOf(layer);
        const channels = w[w.length - 1]!.shape[0]!;
        const center = config.center !== false;
        const scale = config.scale !== false;
        let i = 0;
        const gamma = scale ? w[i++]!.data : new Float32Array(channels).fill(1);
        const beta = center ? w[i++]!.data : new Float32Array(channels);
        const mean = w[i]!.data;
        const variance = w[i + 1]!.data;
        y = {
          name: g.node(
            'BatchNormalization',
            [
              x.name,
              g.weight(`${base}/gamma`, gamma, [channels]),
              g.weight(`${base}/beta`, beta, [channels]),
              g.weight(`${base}/moving_mean`, mean, [channels]),
              g.weight(`${base}/moving_variance`, variance, [channels]),
            ],
            base,
            [float('epsilon', config.epsilon as number)],
          ),
          rank: x.rank,
        };
        break;
      }
      case 'Activation':
        y = activation(g, config.activation as string, x, base);
        break;
      case 'LeakyReLU':
        y = activation(g, 'leakyRelu', x, base, config.alpha as number);
        break;
      case 'ELU':
        y = activation(g, 'elu', x, base, config.alpha as number);
        break;
      case 'ReLU':
        y = activation(g, 'relu', x, base);
        break;
      case 'Add':
        y = { name: inputs.slice(1).reduce((acc, v) => g.node('Add', [acc, v.name], base), x.name), rank: x.rank };
        break;
      case 'Concatenate': {
        const axis = config.axis as number;
        if (axis !== -1 && axis !== x.rank - 1) throw new UnsupportedLayerError(layer.name, className, `only concatenation on the last axis is supported (got axis ${axis})`);
        y = { name: g.node('Concat', inputs.map((v) => v.name), base, [int('axis', 1)]), rank: x.rank };
        break;
      }
      default:
        throw new UnsupportedLayerError(layer.name, className);
    }
    values.set(layer.name, y);
  }
  const outputLayer = model.outputLayers[0]!;
  const out = values.get(outputLayer.name)!;
  if (out.rank !== 2) throw new UnsupportedLayerError(outputLayer.name, outputLayer.getClassName(), 'the model output must be flat ([batch, units])');
  return out;
}

export interface OnnxOptions {
  /** Name written into the model (the producer and the graph). */
  name: string;
  /** Free-form key/value metadata (input scaling, class names, …). */
  metadata?: Record<string, string>;
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
  if (rank !== 2 && rank !== 4) throw new Error(`inputs of shape [${inputShape.join(', ')}] are not supported (need [features] or [h, w, c])`);
  g.unique(ONNX_INPUT);
  let input: Value = { name: ONNX_INPUT, rank };
  if (rank === 4) input = { name: g.node('Transpose', [ONNX_INPUT], 'input', [ints('perm', [0, 3, 1, 2])]), rank };
  const outputs = models.map((model, i) => emitModel(g, model, input, models.length > 1 ? `member${i}/` : ''));
  const units = models[0]!.outputs[0]!.shape[1] as number;
  const last = outputs.length > 1 ? g.node('Mean', outputs.map((o) => o.name), 'ensemble') : outputs[0]!.name;
  g.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [last], output: [ONNX_OUTPUT], name: 'output' }));

  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const valueInfo = (name: string, dims: Array<number | string>) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map(dim) } } },
    });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'layerwise',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: onnx.GraphProto.create({
      name: options.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, ['batch', ...inputShape])],
      output: [valueInfo(ONNX_OUTPUT, ['batch', units])],
    }),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  const error = onnx.ModelProto.verify(model);
  if (error) throw new Error(`the ONNX model is malformed: ${error}`);
  return onnx.ModelProto.encode(model).finish();
}
