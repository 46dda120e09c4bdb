/**
 * Issue 12, findings 10–12: admin templates cannot read files; names that are Object.prototype
 * members are unknown names (404), never Object's machinery (500), and cannot be saved; CSV
 * cells that a spreadsheet would read as a formula are neutralised, in the API and the CLI.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_POLICY } from '../../src/app/seed-demo.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import type { TicketReview } from '../../src/domain/reporting/review.ts';
import { csvCell } from '../../src/reporting/csv-cell.ts';
import { reviewCsv } from '../../src/reporting/review-format.ts';
import { renderTemplate, TemplateRenderError } from '../../src/notify/templates/render.ts';
import { sampleContext } from '../../src/notify/templates/render-context.ts';
import {
  builtinTemplate,
  checkTemplate,
  findTemplate,
  templateNames,
} from '../../src/notify/templates/template-store.ts';
import { describeStores } from '../helpers/db.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
];

describe('templates cannot read files', () => {
  const FILE_TAGS = [
    '{% include "package.json" %}',
    '{% render "package.json" %}',
    '{% layout "package.json" %}body',
    '{%- include "/etc/passwd" -%}',
    '{% liquid\n  include "package.json"\n%}',
    '{% include name %}',
  ];

  it.each(FILE_TAGS)('%s is refused when checked, saying why', async (text) => {
    const problems = await checkTemplate('probe', { audience: 'internal', subject: 'x', text });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /\{% (include|render|layout) %\} is not available in notification templates: templates cannot read other templates or files/,
    );
  });

  it('a stored template that includes a file fails at render without reading it', async () => {
    // As if saved before this check existed: rendering must fail, never mail the file.
    const run = renderTemplate(
      'old',
      { audience: 'internal', subject: 's', text: 'before {% include "package.json" %} after' },
      sampleContext(),
    );
    await expect(run).rejects.toBeInstanceOf(TemplateRenderError);
    await expect(run).rejects.not.toThrow(/"name": "escalon"/);
  });

  it('the shipped templates still render', async () => {
    const names = await Promise.all(
      ['idle-reminder', 'ticket-received-customer'].map(async (n) => checkTemplate(n, builtinTemplate(n)!)),
    );
    expect(names).toEqual([[], []]);
  });
});

describe('prototype names in policies', () => {
  it('an escalation target named "constructor" is an unknown target, not a crash', () => {
    const doc = REFERENCE_POLICY.replace(
      /^rules:[^\n]*\n/m,
      (head) =>
        `${head}  - id: proto\n    on: [ticket.created]\n    do:\n      - escalate: { to: { constructor: L2 }, reason: other }\n\n`,
    );
    const r = parsePolicy(doc);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.message)).toContainEqual(
        expect.stringMatching(/^unknown escalation target "constructor"/),
      );
  });

  it('a calendar with the id "__proto__" is an ordinary calendar', () => {
    const doc = REFERENCE_POLICY.replace(
      /^calendars:[^\n]*\n/m,
      (head) => `${head}  __proto__: { timezone: UTC, hours: 24x7 }\n`,
    );
    const r = parsePolicy(doc);
    expect(r.ok ? null : r.problems).toBeNull();
    if (r.ok) {
      expect(Object.hasOwn(r.policy.calendars, '__proto__')).toBe(true);
      expect(Object.keys(r.policy.calendars)).toContain('__proto__');
    }
  });
});

describe('CSV cells (OWASP CSV injection)', () => {
  it.each([
    ['=1+2', `"'=1+2"`],
    ['+SUM(A1)', `"'+SUM(A1)"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=cmd', `"'\t=cmd"`],
    ['\r=cmd', `"'\r=cmd"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['-3', `"'-3"`],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['', ''],
  ])('the text %j is written as %s', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it('numbers Escalon computes stay numbers, negative ones too', () => {
    expect([csvCell(-3), csvCell(0.25), csvCell(12), csvCell(null), csvCell(Number.NaN)]).toEqual([
      '-3',
      '0.25',
      '12',
      '',
      '',
    ]);
  });

  it('the review CSV neutralises every text from people and the policy', () => {
    const review: TicketReview = {
      ticketId: 't',
      createdAt: 0,
      solvedAt: null,
      status: 'open',
      level: 'L2',
      team: '=team',
      moves: [
        {
          at: 0,
          type: 'escalated',
          by: '@agent',
          fromLevel: 'L1',
          fromTeam: 'front',
          toLevel: 'L2',
          toTeam: '=team',
          reason: '+reason',
          rule: null,
          kind: null,
          summary: '-rm -rf',
          acknowledgedAt: null,
        },
      ],
      stays: [
        {
          kind: 'team',
          key: '=team',
          enteredAt: 0,
          leftAt: null,
          ended: 'open',
          heldMs: 60_000,
          breaches: 0,
        },
      ],
      clocks: [],
    };
    const csv = reviewCsv('=KEY-1', review);
    const cells = csv.split('\n').slice(1).join(',');
    expect(cells).toContain(`"'=KEY-1"`);
    expect(cells).toContain(`"'@agent"`);
    expect(cells).toContain(`"'+reason"`);
    expect(cells).toContain(`"'-rm -rf"`);
    expect(cells).toContain(`"'=team"`);
    expect(cells).toContain(',60000');
    expect(csv).not.toMatch(/(^|,)[=+\-@]/m);
  });
});

describeStores('templates by name and CSV output', (s) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(s.store);
  });

  describe('template routes', () => {
    it.each(PROTOTYPE_NAMES)('GET /api/v1/templates/%s is 404 TEMPLATE_NOT_FOUND', async (name) => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/v1/templates/${name}`,
        headers: t.auth('admin'),
      });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe('TEMPLATE_NOT_FOUND');
      expect(r.json().error.details).toEqual({ name });
    });

    it.each(PROTOTYPE_NAMES)('PUT /api/v1/templates/%s is refused and stores nothing', async (name) => {
      const r = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/templates/${name}`,
        headers: t.auth('admin'),
        payload: { subject: 'x', text: 'y' },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
      // "constructor" is a valid-looking name, reserved; the others are not lowercase names at all.
      expect(r.json().error.message).toMatch(
        name === 'constructor' ? /is reserved; choose another name/ : /must be lowercase letters/,
      );
      expect(await findTemplate(s.store.db, name)).toBeUndefined();
      expect(await templateNames(s.store.db)).not.toContain(name);
    });

    it.each(PROTOTYPE_NAMES)('DELETE /api/v1/templates/%s is 404', async (name) => {
      const r = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/templates/${name}`,
        headers: t.auth('admin'),
      });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe('TEMPLATE_NOT_FOUND');
    });

    it('PUT of a template that includes a file is refused with TEMPLATE_INVALID and stores nothing', async () => {
      for (const text of [
        '{% include "package.json" %}',
        '{% render "package.json" %}',
        '{% layout "package.json" %}x',
      ]) {
        const r = await t.app.inject({
          method: 'PUT',
          url: '/api/v1/templates/idle-reminder',
          headers: t.auth('admin'),
          payload: { subject: 'x', text },
        });
        expect(r.statusCode).toBe(422);
        expect(r.json().error.code).toBe('TEMPLATE_INVALID');
        expect(r.json().error.message).toMatch(/is not available in notification templates/);
      }
      const now = await t.app.inject({
        method: 'GET',
        url: '/api/v1/templates/idle-reminder',
        headers: t.auth('admin'),
      });
      expect(now.json().overridden).toBe(false);
    });

    it('a shipped template is still found, and a new ordinary name can still be saved', async () => {
      const shipped = await t.app.inject({
        method: 'GET',
        url: '/api/v1/templates/idle-reminder',
        headers: t.auth('admin'),
      });
      expect(shipped.statusCode).toBe(200);
      const added = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/templates/team-digest',
        headers: t.auth('admin'),
        payload: { subject: 'Digest {{ ticket.key }}', text: 'x' },
      });
      expect(added.statusCode).toBe(200);
      expect(added.json()).toMatchObject({ name: 'team-digest', audience: 'internal', overridden: false });
    });
  });

  describe('CSV from the API and the CLI', () => {
    const evil = '=HYPERLINK("http://evil.example","open")';

    it('GET /api/v1/reports/kpis?format=csv neutralises a filter value', async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/v1/reports/kpis?format=csv&team=${encodeURIComponent(evil)}&tier=${encodeURIComponent('@x')}`,
        headers: t.auth('manager'),
      });
      expect(r.statusCode).toBe(200);
      expect(r.body).toContain(`filters,,team,"'=HYPERLINK(""http://evil.example"",""open"")"`);
      expect(r.body).toContain(`filters,,tier,"'@x"`);
      for (const line of r.body.trim().split('\n'))
        expect(
          line.split(',').every((cell) => !/^[=+@\t\r]/.test(cell)),
          line,
        ).toBe(true);
    });

    it('escalon report --format csv neutralises the same way', () => {
      const r = spawnSync(
        process.execPath,
        [join(ROOT, 'bin/escalon.js'), 'report', '--format', 'csv', '--team', evil, '--tier', '-1'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, ESCALON_DATABASE_URL: s.url },
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`filters,,team,"'=HYPERLINK(""http://evil.example"",""open"")"`);
      expect(r.stdout).toContain(`filters,,tier,"'-1"`);
    });
  });
});
