import { describe, expect, it } from 'vitest';
import { addressKey } from './admission.js';

describe('addressKey: whose share a delivery counts against', () => {
  it('an IPv4 peer by its address, an IPv4-mapped IPv6 address as that same IPv4 address', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });
  it('an IPv6 peer by its /64, however the address is written', () => {
    const block = '2001:db8:0:1::/64';
    for (const a of ['2001:db8:0:1::a', '2001:0db8:0000:0001:0000:0000:0000:000b', '2001:DB8:0:1:ffff::c', '2001:db8:0:1:1:2:3.4.5.6'])
      expect(addressKey(a)).toBe(block);
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('2001:db8:0:2::1')).not.toBe(block);
    expect(addressKey('fe80::1%eth0')).toBe(addressKey('fe80::2'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
