/** How people are reached: phone numbers in E.164 form (for SMS) and IANA time zones (times in notices). */
import { DomainError } from './errors.ts';

export const PHONE = /^\+[1-9]\d{6,14}$/;

/** A phone number as stored: E.164 with spaces, dashes, dots and brackets removed; null clears it. */
export function checkPhone(raw: string | null | undefined, field = 'phone'): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  const phone = raw.replace(/[\s().-]/g, '');
  if (phone === '') return null;
  if (!PHONE.test(phone)) throw new DomainError('VALIDATION_FAILED', `${field} must be a phone number in international form, e.g. +15551234567 (got '${raw}')`, { field });
  return phone;
}

export function checkTimeZone(raw: string | null | undefined, field = 'time_zone'): string | null | undefined {
  if (raw === undefined || raw === null || raw === '') return raw === '' ? null : raw;
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw });
  } catch {
    throw new DomainError('VALIDATION_FAILED', `${field} must be an IANA time zone, e.g. Europe/Berlin (got '${raw}')`, { field });
  }
  return raw;
}
