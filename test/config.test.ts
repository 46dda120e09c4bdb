import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

it('applies the defaults and freezes the result', () => {
  const c = loadConfig({});
  expect(c.database).toEqual({ url: 'sqlite:./data/escalon.db', dialect: 'sqlite' });
  expect(c.http.port).toBe(8080);
  expect(Object.isFrozen(c) && Object.isFrozen(c.http)).toBe(true);
  expect(loadConfig({ ESCALON_DATABASE_URL: 'postgres://u@h:5432/db' }).database.dialect).toBe('postgres');
});

it('lists every invalid value at once', () => {
  try {
    loadConfig({ ESCALON_DATABASE_URL: 'mysql://x', PORT: 'eighty', ESCALON_SECRET: 'short', ESCALON_SMTP_FROM: 'nope' });
    expect.unreachable();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const keys = (err as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(keys.sort()).toEqual(['ESCALON_DATABASE_URL', 'ESCALON_SECRET', 'ESCALON_SMTP_FROM', 'PORT']);
  }
});
