import {
  deleteDirName,
  isLegalTopicName,
  offsetFileName,
  parsePartitionDirName,
  parseSegmentFileName,
} from '../../../../kafka-broker/src/log/log-files';

describe('log file names', () => {
  it('names segment files by their 20-digit base offset', () => {
    expect(offsetFileName(0n, '.log')).toBe('00000000000000000000.log');
    expect(offsetFileName(1234n, '.timeindex')).toBe('00000000000000001234.timeindex');
    expect(parseSegmentFileName('00000000000000001234.index')).toEqual({ baseOffset: 1234n, suffix: '.index' });
    expect(parseSegmentFileName('1234.index')).toBeNull();
    expect(parseSegmentFileName('00000000000000001234.log.deleted')).toBeNull();
  });

  it('splits partition directories at the last dash', () => {
    expect(parsePartitionDirName('orders-eu-3')).toEqual({ topic: 'orders-eu', partition: 3 });
    expect(parsePartitionDirName('orders')).toBeNull();
    expect(parsePartitionDirName('orders-x')).toBeNull();
    expect(parsePartitionDirName(deleteDirName('orders', 3, 'ab12'))).toBeNull();
    expect(deleteDirName('orders', 3, 'ab12')).toBe('orders-3.ab12-delete');
  });

  it('accepts only topic names that are safe directory names', () => {
    expect(isLegalTopicName('a.b_c-D9')).toBe(true);
    expect(isLegalTopicName('..')).toBe(false);
    expect(isLegalTopicName('a/b')).toBe(false);
    expect(isLegalTopicName('')).toBe(false);
    expect(isLegalTopicName('x'.repeat(250))).toBe(false);
  });
});
