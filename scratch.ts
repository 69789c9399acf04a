import { makeOpensslCa } from './test/helpers/openssl.js';
import { verifyCrl } from './src/services/revocation.js';
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const ca = makeOpensslCa('测试法院CA', { notBefore: new Date(now.getTime() - 86400e3), notAfter: new Date(now.getTime() + 365 * 86400e3) });
const l = ca.issue('x'); l.revokedAt = new Date(now.getTime() - 5000);
const der = ca.crl(new Date(now.getTime() - 60e3), new Date(now.getTime() + 3600e3), 7);
try { console.log(await verifyCrl(der, ca.der)); } catch (e) { console.log('ERR', e); }
