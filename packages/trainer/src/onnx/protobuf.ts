/**
 * A protocol-buffers wire-format writer with just what ONNX's messages need. Fields are written in the order the
 * caller writes them, so the same model always encodes to the same bytes.
 */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

export class ProtoWriter {
  private bytes = new Uint8Array(256);
  private length = 0;

  /** An int32/int64/enum/bool field. Negative values take ten bytes (two's complement), as protobuf specifies. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, VARINT);
    this.rawVarint(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  bytesField(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.rawVarint(BigInt(value.length));
    this.append(value);
    return this;
  }

  message(field: number, message: ProtoWriter): this {
    return this.bytesField(field, message.finish());
  }

  float(field: number, value: number): this {
    this.tag(field, FIXED32);
    const buffer = new DataView(new ArrayBuffer(4));
    buffer.setFloat32(0, value, true);
    this.append(new Uint8Array(buffer.buffer));
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, FIXED64);
    const buffer = new DataView(new ArrayBuffer(8));
    buffer.setFloat64(0, value, true);
    this.append(new Uint8Array(buffer.buffer));
    return this;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  private tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1) throw new RangeError(`invalid protobuf field number ${field}`);
    this.rawVarint(BigInt((field << 3) | wireType));
  }

  private rawVarint(value: bigint): void {
    let rest = value;
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      this.append([rest > 0n ? low | 0x80 : low]);
    } while (rest > 0n);
  }

  private append(chunk: ArrayLike<number>): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + chunk.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }
}
