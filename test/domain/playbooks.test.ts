/** The `playbooks:` section: parsing, every problem with its path and line, macros rendered strictly, checklists folded from events. */
import { describe, expect, it } from 'vitest';
import { checklistItemTimings, foldChecklists, openRequired, renderMacroBody, sampleMacroContext } from '../../src/domain/playbooks.ts';
import { parsePolicy } from '../../src/domain/policy/parse.ts';
import { diffPolicies } from '../../src/domain/policy/policy-diff.ts';

const HEAD = `version: 1
levels: [{ id: L1 }]
teams:
  front: { level: L1, members: [a@x.io] }
`;

function problems(playbooks: string): Array<{ path: string; message: string; line?: number }> {
  const r = parsePolicy(`${HEAD}playbooks:\n${playbooks}`);
  if (r.ok) return [];
  return r.problems;
}

describe('playbooks section', () => {
  it('reads checklists by reason and macros, defaults required to false and set to nothing', () => {
    const r = parsePolicy(`${HEAD}playbooks:
  checklists:
    legal_compliance:
      title: Legal
      items:
        - { id: counsel, text: Call counsel, required: true }
        - { id: tone, text: Check tone }
  macros:
    - { id: hi, name: Hello, visibility: public, body: "Hi {{ customer.first_name }}" }
    - { id: wait, name: Wait, visibility: internal, body: "x", set: { status: pending, priority: high, tags: [a, b] } }
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.playbooks.checklists).toEqual([
      { reason: 'legal_compliance', title: 'Legal', items: [{ id: 'counsel', text: 'Call counsel', required: true }, { id: 'tone', text: 'Check tone', required: false }] },
    ]);
    expect(r.policy.playbooks.macros[0]).toEqual({ id: 'hi', name: 'Hello', visibility: 'public', body: 'Hi {{ customer.first_name }}', set: {} });
    expect(r.policy.playbooks.macros[1]?.set).toEqual({ status: 'pending', priority: 'high', tags: ['a', 'b'] });
  });

  it('is optional', () => {
    const r = parsePolicy(HEAD);
    expect(r.ok && r.policy.playbooks).toEqual({ checklists: [], macros: [] });
  });

  it('names every problem at once with its path and line', () => {
    const found = problems(`  checklists:
    legal_complience:
      title: Legal
      items: [{ id: a, text: A }]
    technical_complexity:
      title: Tech
      items:
        - { id: a, text: A }
        - { id: a, text: B, required: maybe }
  macros:
    - { id: m, name: M, visibility: secret, body: "{{ customer.nam }}" }
    - { id: m, name: M2, visibility: public, body: "{% if %}", set: { status: new, priority: huge } }
    - { id: x, name: X, visibility: public, body: "{% include 'a' %}" }
`);
    const byPath = Object.fromEntries(found.map((p) => [p.path, p]));
    expect(byPath['playbooks.checklists.legal_complience']).toMatchObject({ message: expect.stringContaining('did you mean "legal_compliance"?'), line: 7 });
    expect(byPath['playbooks.checklists.technical_complexity.items[1].id']?.message).toContain('duplicate item id "a"');
    expect(byPath['playbooks.macros[0].visibility']?.message).toContain('unknown visibility "secret"');
    expect(byPath['playbooks.macros[0].body']).toMatchObject({ message: expect.stringContaining('customer.nam'), line: 16 });
    expect(byPath['playbooks.macros[1].id']?.message).toContain('duplicate macro id "m"');
    expect(byPath['playbooks.macros[1].body']?.message).toContain('does not render');
    expect(byPath['playbooks.macros[1].set.status']?.message).toContain('"new"');
    expect(byPath['playbooks.macros[1].set.priority']?.message).toContain('unknown priority "huge"');
    expect(byPath['playbooks.macros[2].body']?.message).toContain('include');
  });

  it('the policy diff lists checklists and macros', () => {
    const a = parsePolicy(`${HEAD}playbooks: { macros: [{ id: m, name: M, visibility: public, body: "a" }] }\n`);
    const b = parsePolicy(`${HEAD}playbooks: { checklists: { other: { title: T, items: [{ id: i, text: I }] } }, macros: [{ id: m, name: M, visibility: public, body: "b" }] }\n`);
    if (!a.ok || !b.ok) throw new Error('refused');
    expect(diffPolicies(a.policy, b.policy).playbooks).toEqual({ added: ['checklist:other'], removed: [], changed: ['macro:m'] });
  });
});

describe('macros and checklist state', () => {
  it('renders against the context, user text as data', () => {
    const ctx = sampleMacroContext();
    ctx.customer.first_name = '{{ agent.name }}';
    expect(renderMacroBody('Hi {{ customer.first_name }}, {{ ticket.key }}', ctx)).toBe('Hi {{ agent.name }}, ESC-1042');
  });

  it('folds attach, tick and untick; a second attach for the same reason is ignored; times per item', () => {
    const attached = (at: number) => ({ type: 'checklist.attached', at, actor: 'system', payload: { checklist: 'legal_compliance', title: 'Legal', items: [{ id: 'a', text: 'A', required: true }, { id: 'b', text: 'B', required: false }] } });
    const lists = foldChecklists([
      attached(0),
      { type: 'checklist.item_checked', at: 10, actor: 'user:1', payload: { checklist: 'legal_compliance', item: 'a' } },
      { type: 'checklist.item_unchecked', at: 20, actor: 'user:1', payload: { checklist: 'legal_compliance', item: 'a' } },
      attached(25),
      { type: 'checklist.item_checked', at: 30, actor: 'user:2', payload: { checklist: 'legal_compliance', item: 'a' } },
    ]);
    expect(lists).toHaveLength(1);
    expect(lists[0]?.items[0]).toMatchObject({ done: true, by: 'user:2', at: 30 });
    expect(openRequired(lists)).toEqual([]);
    expect(checklistItemTimings(lists)).toEqual([
      { checklist: 'legal_compliance', item: 'a', text: 'A', required: true, attached: 1, done: 1, medianMs: 30, p90Ms: 30 },
      { checklist: 'legal_compliance', item: 'b', text: 'B', required: false, attached: 1, done: 0, medianMs: null, p90Ms: null },
    ]);
  });
});
