// The value every write carries: 256 bytes, as the issue specifies, the same for all systems.

export const VALUE_BYTES = 256;

/** A 256-byte value whose first bytes name the writer (readable when debugging). */
export function benchValue(label: string): Buffer {
  const value = Buffer.alloc(VALUE_BYTES, 0x2e);
  value.write(label.slice(0, VALUE_BYTES), 0, 'utf8');
  return value;
}
