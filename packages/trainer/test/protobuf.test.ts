import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../src/onnx/protobuf.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

// Expected bytes from the protobuf encoding guide (protobuf.dev/programming-guides/encoding).
describe('ProtoWriter', () => {
  it('writes a varint field as tag then base-128 groups', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('089601');
  });

  it('writes negative int64 values as ten bytes of two’s complement', () => {
    expect(hex(new ProtoWriter().varint(1, -1).finish())).toBe('08ffffffffffffffffff01');
  });

  it('writes a string as a length-delimited field', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
  });

  it('writes an embedded message with its length', () => {
    const inner = new ProtoWriter().varint(1, 150);
    expect(hex(new ProtoWriter().message(3, inner).finish())).toBe('1a03089601');
  });

  it('writes floats and doubles little-endian in fixed width', () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
    expect(hex(new ProtoWriter().double(1, 1).finish())).toBe('09000000000000f03f');
  });

  it('keeps every byte when the buffer grows', () => {
    const long = 'x'.repeat(1000);
    const bytes = new ProtoWriter().string(1, long).varint(2, 7).finish();
    expect(bytes.length).toBe(1 + 2 + 1000 + 2);
    expect(hex(bytes.slice(0, 3))).toBe('0ae807');
    expect(hex(bytes.slice(-2))).toBe('1007');
  });

  it('refuses an invalid field number', () => {
    expect(() => new ProtoWriter().varint(0, 1)).toThrow(/field number/);
  });
});
