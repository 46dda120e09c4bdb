import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/domain/policy/parse.ts';

const source = readFileSync(new URL('../../examples/escalon.policy.yaml', import.meta.url), 'utf8');
const lines = source.split('\n');

/** Either a policy, or problems that each say where (a path and a line inside the document) and what. */
function wellFormed(text: string): boolean {
  const r = parsePolicy(text);
  if (r.ok) return true;
  const lineCount = text.split('\n').length;
  return (
    r.problems.length > 0 &&
    r.problems.every((p) => p.path.length > 0 && p.message.length > 0 && (p.line === undefined || (p.line >= 1 && p.line <= lineCount)))
  );
}

describe('parsePolicy on damaged documents', () => {
  it('never throws and always explains, whatever line of the reference is dropped or altered', () => {
    const damaged = fc
      .tuple(fc.nat({ max: lines.length - 1 }), fc.constantFrom('drop', 'dup', 'junk', 'dedent'), fc.string({ maxLength: 12 }))
      .map(([i, how, junk]) => {
        const copy = [...lines];
        const line = copy[i] ?? '';
        if (how === 'drop') copy.splice(i, 1);
        if (how === 'dup') copy.splice(i, 0, line);
        if (how === 'junk') copy[i] = line + junk;
        if (how === 'dedent') copy[i] = line.trimStart();
        return copy.join('\n');
      });
    fc.assert(fc.property(damaged, wellFormed), { numRuns: 300 });
  });

  it('never throws on arbitrary JSON-like documents', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => wellFormed(stringify(v))), { numRuns: 300 });
  });

  it('reads YAML anchors and aliases like the values they stand for', () => {
    const doc = parseYaml(source) as { teams: Record<string, Record<string, unknown>> };
    const withAlias = source
      .replace('    members: [sam@example.com, sofia@example.com]', '    members: &spec [sam@example.com, sofia@example.com]')
      .replace('    members: [marc@example.com]', '    members: *spec');
    const r = parsePolicy(withAlias);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.policy.teams.find((t) => t.id === 'support-management')?.members).toEqual(doc.teams['specialists']?.['members']);
  });
});
