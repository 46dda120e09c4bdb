import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

describeStores('phone numbers and time zones on users', (s) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(s.store);
  });

  it('an admin sets them on create and update; they are normalised and shown', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: t.auth('admin'), payload: { email: 'pat@example.com', name: 'Pat', role: 'agent', phone: '+1 (555) 010-0199', time_zone: 'Europe/Berlin' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ phone: '+15550100199', time_zone: 'Europe/Berlin' });
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${created.json().id}`, headers: t.auth('admin'), payload: { phone: null, time_zone: 'America/New_York' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ phone: null, time_zone: 'America/New_York' });
  });

  it('a number not in international form, or an unknown zone, is refused with what to write', async () => {
    const id = t.cast.actors.agent.userId;
    const phone = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: t.auth('admin'), payload: { phone: '555-1234' } });
    expect(phone.statusCode).toBe(400);
    expect(phone.body).toContain('international form, e.g. +15551234567');
    const zone = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: t.auth('admin'), payload: { time_zone: 'Mars/Olympus' } });
    expect(zone.statusCode).toBe(400);
    expect(zone.body).toContain('IANA time zone');
  });
});
