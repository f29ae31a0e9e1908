import { open } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

// onnx-proto is CommonJS: Node's ESM loader only exposes its default export.
const proto = onnxProto.onnx;

export type ElementType = 'float32' | 'uint8' | 'int32' | 'int64' | 'bool';
/** A fixed size, or the name of a symbolic dimension. */
export type Dim = number | string;
export type TensorValues = Float32Array | Uint8Array | Int32Array | BigInt64Array;

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number };

export const int = (value: number): AttributeValue => ({ kind: 'int', value });
export const ints = (value: readonly number[]): AttributeValue => ({ kind: 'ints', value });
export const float = (value: number): AttributeValue => ({ kind: 'float', value });

export const MICROSOFT_DOMAIN = 'com.microsoft';
const IR_VERSION = 8;
const ONNX_OPSET = 17;
const WRITE_BATCH_BYTES = 1 << 20;

const dataTypes: Record<ElementType, onnx.TensorProto.DataType> = {
  float32: proto.TensorProto.DataType.FLOAT,
  uint8: proto.TensorProto.DataType.UINT8,
  int32: proto.TensorProto.DataType.INT32,
  int64: proto.TensorProto.DataType.INT64,
  bool: proto.TensorProto.DataType.BOOL,
};

interface Initializer {
  name: string;
  type: ElementType;
  dims: readonly number[];
  /** Called once, when the model is encoded, so large weights never all sit in memory at once. */
  values: () => TensorValues;
}

interface NodeOptions {
  /** Output names, or how many fresh ones to make; by default one fresh name. */
  outputs?: readonly string[] | number;
  domain?: string;
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function rawBytes(values: TensorValues): Uint8Array {
  // ONNX raw_data is little-endian.
  if (!isLittleEndian) throw new Error('Writing ONNX raw_data needs a little-endian host');
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

/** Key of a length-delimited protobuf field (wire type 2). */
function lengthDelimitedKey(fieldNumber: number): Uint8Array {
  return varint(fieldNumber * 8 + 2);
}

/** Encoded size of a length-delimited field holding `payloadLength` bytes. */
function lengthDelimitedFieldSize(fieldNumber: number, payloadLength: number): number {
  return lengthDelimitedKey(fieldNumber).length + varint(payloadLength).length + payloadLength;
}

// Field numbers from onnx.proto.
const MODEL_GRAPH_FIELD = 7;
const GRAPH_INITIALIZER_FIELD = 5;
const TENSOR_RAW_DATA_FIELD = 9;

function valueInfo(name: string, type: ElementType, shape: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: dataTypes[type],
        shape: { dim: shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function attributeProto(name: string, attribute: AttributeValue): onnx.IAttributeProto {
  const { AttributeType } = proto.AttributeProto;
  switch (attribute.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: attribute.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: [...attribute.value] };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: attribute.value };
  }
}

/** A typed helper over onnx-proto: declare inputs, outputs, initializers and nodes, then encode a ModelProto (IR 8, opset 17). */
export class OnnxGraphBuilder {
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly usedNames = new Set<string>();
  private readonly domains = new Set<string>();
  private nextId = 0;

  constructor(private readonly graphName: string) {}

  addInput(name: string, type: ElementType, shape: readonly Dim[]): string {
    this.claimName(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  addOutput(name: string, type: ElementType, shape: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  addInitializer(name: string, type: ElementType, dims: readonly number[], values: TensorValues | (() => TensorValues)): string {
    this.claimName(name);
    this.initializers.push({ name, type, dims, values: typeof values === 'function' ? values : () => values });
    return name;
  }

  constInt64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.addInitializer(this.freshName('const_i64'), 'int64', dims, BigInt64Array.from(values, BigInt));
  }

  constFloat(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.addInitializer(this.freshName('const_f32'), 'float32', dims, Float32Array.from(values));
  }

  cast(input: string, to: ElementType): string {
    return this.op('Cast', [input], { to: int(dataTypes[to]) });
  }

  /** Adds a node and returns its (first) output name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, options: NodeOptions = {}): string {
    const outputs = this.opOutputs(opType, inputs, attributes, options);
    return outputs[0]!;
  }

  opOutputs(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    options: NodeOptions = {},
  ): string[] {
    const name = this.freshName(opType);
    this.claimName(name);
    const outputs =
      typeof options.outputs === 'object'
        ? [...options.outputs]
        : Array.from({ length: options.outputs ?? 1 }, (_, i) => `${name}_out${i}`);
    for (const output of outputs) this.claimName(output);
    const domain = options.domain ?? '';
    if (domain !== '') this.domains.add(domain);
    this.nodes.push({
      name,
      opType,
      domain,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attributeProto(key, value)),
    });
    return outputs;
  }

  /** The encoded ModelProto as a sequence of byte chunks; initializer data is produced chunk by chunk. */
  *encodeChunks(): Generator<Uint8Array> {
    const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: ONNX_OPSET }];
    for (const domain of [...this.domains].sort()) opsetImport.push({ domain, version: 1 });
    const modelHeader = proto.ModelProto.encode({
      irVersion: IR_VERSION,
      producerName: 'vlmguard-tiny-model',
      opsetImport,
    }).finish();
    const graphHeader = proto.GraphProto.encode({
      name: this.graphName,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
    }).finish();

    // Protobuf fields may come in any order, so each initializer is appended as its own GraphProto field; only their
    // lengths must be known up front, and those follow from the dims.
    const tensorHeaders = this.initializers.map(({ name, dims, type }) =>
      proto.TensorProto.encode({ name, dims: [...dims], dataType: dataTypes[type] }).finish(),
    );
    const initializerLengths = this.initializers.map((initializer, i) => {
      const rawLength = byteLengthOf(initializer);
      const tensorLength = tensorHeaders[i]!.length + lengthDelimitedFieldSize(TENSOR_RAW_DATA_FIELD, rawLength);
      return { rawLength, tensorLength };
    });
    const graphLength = initializerLengths.reduce(
      (sum, { tensorLength }) => sum + lengthDelimitedFieldSize(GRAPH_INITIALIZER_FIELD, tensorLength),
      graphHeader.length,
    );

    yield modelHeader;
    yield lengthDelimitedKey(MODEL_GRAPH_FIELD);
    yield varint(graphLength);
    yield graphHeader;
    for (const [i, initializer] of this.initializers.entries()) {
      const { rawLength, tensorLength } = initializerLengths[i]!;
      const raw = rawBytes(initializer.values());
      if (raw.length !== rawLength) {
        throw new Error(`Initializer ${initializer.name} has ${raw.length} bytes, expected ${rawLength}`);
      }
      yield lengthDelimitedKey(GRAPH_INITIALIZER_FIELD);
      yield varint(tensorLength);
      yield tensorHeaders[i]!;
      yield lengthDelimitedKey(TENSOR_RAW_DATA_FIELD);
      yield varint(rawLength);
      yield raw;
    }
  }

  encode(): Uint8Array {
    return Buffer.concat([...this.encodeChunks()]);
  }

  /** Streams the model to `path`; returns the number of bytes written. */
  async writeTo(path: string): Promise<number> {
    const file = await open(path, 'w');
    let bytes = 0;
    // Small chunks are gathered into larger writes; one write per chunk made tiny models slow to write.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes > 0) await file.write(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    try {
      for (const chunk of this.encodeChunks()) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        bytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
      }
      await flush();
    } finally {
      await file.close();
    }
    return bytes;
  }

  private freshName(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.nextId++}`;
    while (this.usedNames.has(name));
    return name;
  }

  private claimName(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`Duplicate tensor name ${name} in graph ${this.graphName}`);
    this.usedNames.add(name);
  }
}

const bytesPerElement: Record<ElementType, number> = { float32: 4, uint8: 1, int32: 4, int64: 8, bool: 1 };

function byteLengthOf(initializer: Initializer): number {
  return initializer.dims.reduce((product, dim) => product * dim, 1) * bytesPerElement[initializer.type];
}
