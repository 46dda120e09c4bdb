/**
 * `customer_fields:` — what a customer may decide about their own ticket, and what they see of
 * its routing. Every key is optional; left out, the section means: a customer sets nothing but
 * subject, body and attachments, and sees no team, level, assignee or owner.
 *
 *   customer_fields:
 *     settable: [priority, category]   # of: priority, impact, urgency, category, tags
 *     priority_max: high               # the highest priority a customer's choice may give
 *     public: [level]                  # of: team, level, assignee, owner, tags
 *
 * Triage (sentiment, risk flags, matched phrases) is never shown to customers.
 */
import { asMap, checkKeys, get, join, readEnum, readList, type Problems } from './reader.ts';
import type { PNode } from './source-tree.ts';
import { CUSTOMER_PUBLIC_FIELDS, CUSTOMER_SETTABLE_FIELDS, PRIORITIES, type CustomerFieldsDef } from './types.ts';

export function readCustomerFields(p: Problems, node: PNode | undefined, path: string): CustomerFieldsDef | undefined {
  if (!node) return undefined;
  const map = asMap(p, node, path, 'a map { settable, priority_max, public }');
  if (!map) return undefined;
  checkKeys(p, map, path, ['settable', 'priority_max', 'public']);
  const out: CustomerFieldsDef = { settable: [], priorityMax: null, public: [] };
  const settable = get(map, 'settable');
  if (settable) {
    const list = readList(p, settable, join(path, 'settable'), 'ticket fields', (item, at) => readEnum(p, item, at, CUSTOMER_SETTABLE_FIELDS, 'customer-settable field'));
    if (list) out.settable = [...new Set(list)];
  }
  const max = get(map, 'priority_max');
  if (max) {
    const v = readEnum(p, max, join(path, 'priority_max'), PRIORITIES, 'priority');
    if (v !== undefined) {
      out.priorityMax = v;
      if (settable && !out.settable.some((f) => f === 'priority' || f === 'impact' || f === 'urgency')) {
        p.add(join(path, 'priority_max'), 'priority_max has no effect unless settable lists priority, impact or urgency', max.line);
      }
    }
  }
  const pub = get(map, 'public');
  if (pub) {
    const list = readList(p, pub, join(path, 'public'), 'ticket fields', (item, at) => readEnum(p, item, at, CUSTOMER_PUBLIC_FIELDS, 'customer-visible field'));
    if (list) out.public = [...new Set(list)];
  }
  return out;
}
