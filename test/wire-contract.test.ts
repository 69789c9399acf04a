/**
 * The court-facing contract in schemas/wire/: the published JSON Schema is exactly what the gateway enforces,
 * an independent validator (ajv) accepts the examples against it, and the signed examples are accepted by a
 * gateway that registered the example CA (so a court engineer can replay them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { manifestJsonSchema, EXAMPLE_ISSUED_AT } from '../schemas/wire/generate.js';
import { FixedClock, testGateway } from './helpers/gateway.js';
import { registerSender } from '../src/services/senders.js';
import { joseRequest, multipartRequest } from '../adapters/node/court-kit.js';

const wire = (p: string) => fileURLToPath(new URL(`../schemas/wire/${p}`, import.meta.url));
const read = (p: string) => readFileSync(wire(p), 'utf8');

describe('schemas/wire', () => {
  it('manifest.schema.json is the schema the gateway enforces (run `npm run wire:schema` after changing schemas/api/manifest.ts)', () => {
    expect(JSON.parse(read('manifest.schema.json'))).toEqual(JSON.parse(JSON.stringify(manifestJsonSchema())));
  });

  it('an independent JSON Schema validator accepts both example manifests and rejects a broken one', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(read('manifest.schema.json')));
    for (const f of ['examples/jose/manifest.json', 'examples/multipart/manifest.json']) {
      expect(validate(JSON.parse(read(f))), JSON.stringify(validate.errors)).toBe(true);
    }
    const broken = JSON.parse(read('examples/jose/manifest.json'));
    broken.documents[0].type = 'letter';
    expect(validate(broken)).toBe(false);
  });

  describe('the signed examples, replayed against a gateway', () => {
    let gw: Awaited<ReturnType<typeof testGateway>>;
    beforeAll(async () => {
      gw = await testGateway({ clock: new FixedClock(EXAMPLE_ISSUED_AT) });
      await registerSender(gw.deps, { code: 'court-example', type: 'court', name: '示例法院', caPem: read('examples/example-ca.pem') });
    });
    afterAll(() => gw.close());

    it('application/jose example → 201', async () => {
      const res = await gw.app.request(joseRequest('http://gw/v1/deliveries', read('examples/jose/delivery.jws').trim()));
      expect(res.status).toBe(201);
    });

    it('multipart example → 201', async () => {
      const pdf = new Uint8Array(readFileSync(wire('examples/multipart/complaint-pdf')));
      const res = await gw.app.request(
        multipartRequest('http://gw/v1/deliveries', read('examples/multipart/envelope.jws').trim(), [
          { id: 'complaint-pdf', filename: '行政起诉状.pdf', mediaType: 'application/pdf', bytes: pdf },
        ]),
      );
      expect(res.status).toBe(201);
    });
  });
});
