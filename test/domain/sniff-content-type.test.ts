import { describe, expect, it } from 'vitest';
import { sniffContentType } from '../../src/domain/sniff-content-type.ts';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('sniffContentType', () => {
  it('recognises common binary formats by their signature', () => {
    expect(sniffContentType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))).toBe('image/png');
    expect(sniffContentType(bytes(0xff, 0xd8, 0xff, 0xe0, 0x00))).toBe('image/jpeg');
    expect(sniffContentType(Buffer.from('GIF89a\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffContentType(Buffer.from('GIF87a', 'latin1'))).toBe('image/gif');
    expect(sniffContentType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffContentType(bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00))).toBe('application/zip');
  });

  it('reports UTF-8 text without control characters as plain text', () => {
    expect(sniffContentType(Buffer.from('Grüße aus Köln\r\n\ttabbed'))).toBe('text/plain; charset=utf-8');
    expect(sniffContentType(new Uint8Array())).toBe('text/plain; charset=utf-8');
  });

  it('labels HTML and SVG as plain text, so an uploaded page is never rendered', () => {
    expect(sniffContentType(Buffer.from('<html><script>alert(1)</script></html>'))).toBe('text/plain; charset=utf-8');
    expect(sniffContentType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBe('text/plain; charset=utf-8');
  });

  it('tolerates a multi-byte character cut at the end of the sample', () => {
    const cut = Buffer.from('abc é').subarray(0, 5); // 'é' is two bytes; keep only the first
    expect(sniffContentType(cut)).toBe('text/plain; charset=utf-8');
  });

  it('falls back to octet-stream for anything else', () => {
    expect(sniffContentType(bytes(0x00, 0x01, 0x02, 0xff))).toBe('application/octet-stream');
    expect(sniffContentType(bytes(0xc3, 0x28, 0x41))).toBe('application/octet-stream'); // invalid UTF-8
    expect(sniffContentType(bytes(0x89, 0x50, 0x4e, 0x47))).toBe('application/octet-stream'); // a truncated PNG signature
  });
});
