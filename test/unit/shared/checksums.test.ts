import { adler32, crc32, crc32c } from '../../../shared/src';

describe('checksums', () => {
  const check = Buffer.from('123456789');
  it('crc32c matches the published check value', () => expect(crc32c(check)).toBe(0xe3069283));
  it('crc32 matches the published check value', () => expect(crc32(check)).toBe(0xcbf43926));
  it('adler32 matches the published value for "Wikipedia"', () => expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398));
  it('adler32 continues from a seed like java.util.zip.Adler32.update', () => {
    const data = Buffer.alloc(20000, 0xab);
    expect(adler32(data.subarray(7000), 0, 13000, adler32(data.subarray(0, 7000)))).toBe(adler32(data));
  });
});
