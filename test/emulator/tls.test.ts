// HTTPS mode: the emulator serves the given certificate, so clients can be tested with TLS on.
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { createCA, issueCertificate } from '../support/pki.ts';
import { startEmulator } from './server.ts';

describe('tls option', () => {
  it('serves HTTPS with the given certificate', async () => {
    const ca = createCA();
    const leaf = issueCertificate({ ca, dnsNames: ['localhost'] });
    const emu = await startEmulator({ tls: { certPem: leaf.certPem, keyPem: leaf.keyPem } });
    const agent = new Agent({ connect: { ca: ca.certPem, servername: 'localhost' } });
    try {
      expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const r = await undiciFetch(`${emu.url}/v2/${emu.seed.projectId}/apigw/certificates`, {
        dispatcher: agent,
      });
      expect(r.status).toBe(401);
      expect(r.headers.get('x-request-id')).toBeTruthy();
    } finally {
      await agent.close();
      await emu.close();
    }
  });
});
