/**
 * `customer_requests:` — where a customer's request for escalation goes and how often it may
 * move the ticket: `{ to: next_level | { level } | { team } | { skill }, limit: 24h,
 * require_acknowledgement: true }`, every key optional (the defaults are those of
 * DEFAULT_CUSTOMER_REQUESTS).
 */
import { readPositiveDuration } from './parse-sla.ts';
import { readEscalateTarget, type RuleScope } from './parse-rules.ts';
import { asMap, checkKeys, get, join, readBoolean, type Problems } from './reader.ts';
import type { PNode } from './source-tree.ts';
import { DEFAULT_CUSTOMER_REQUESTS, type CustomerRequestsDef } from './types.ts';

export function readCustomerRequests(p: Problems, node: PNode | undefined, path: string, scope: RuleScope): CustomerRequestsDef | undefined {
  if (!node) return undefined;
  const map = asMap(p, node, path, 'a map { to, limit, require_acknowledgement }');
  if (!map) return undefined;
  checkKeys(p, map, path, ['to', 'limit', 'require_acknowledgement']);
  const out: CustomerRequestsDef = { ...DEFAULT_CUSTOMER_REQUESTS };
  const to = get(map, 'to');
  if (to) {
    const target = readEscalateTarget(p, to, join(path, 'to'), scope);
    if (target) out.to = target;
  }
  const limit = get(map, 'limit');
  if (limit) {
    const ms = readPositiveDuration(p, limit, join(path, 'limit'));
    if (ms !== undefined) out.limitMs = ms;
  }
  const ack = get(map, 'require_acknowledgement');
  if (ack) {
    const v = readBoolean(p, ack, join(path, 'require_acknowledgement'));
    if (v !== undefined) out.requireAck = v;
  }
  return out;
}
