import { describe, expect, it } from 'vitest';
import { parseIntakeSources } from '../../src/intake/intake-sources.ts';

const base = { token: 'provider-token-0123456789', channel: 'sms', fields: { from: 'From', body: 'Body', external_id: 'Sid' } };

describe('intake sources: the outbound reply setting', () => {
  it('accepts a source with a reply URL and a Standard Webhooks secret, and one without', () => {
    const parsed = parseIntakeSources(JSON.stringify({ gw: { ...base, reply: { url: 'https://sms.example/out', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }, plain: base }));
    expect(parsed.gw?.reply).toEqual({ url: 'https://sms.example/out', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(parsed.plain?.reply).toBeUndefined();
  });

  it('refuses a bad URL or secret, naming the field and how to fix it', () => {
    expect(() => parseIntakeSources(JSON.stringify({ gw: { ...base, reply: { url: 'ftp://sms.example', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } } }))).toThrow(/gw\.reply\.url: must be an http or https URL/);
    expect(() => parseIntakeSources(JSON.stringify({ gw: { ...base, reply: { url: 'https://sms.example', secret: 'hunter2' } } }))).toThrow(/gw\.reply\.secret: must be a Standard Webhooks secret/);
  });
});
