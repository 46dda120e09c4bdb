/**
 * What a customer may decide about a ticket they open, and what they see of its routing — the
 * policy's `customer_fields:` section (docs/policy.md). Pure.
 *
 * Opening: a customer sets subject, body and attachments; every other field only when the
 * policy lists it in `settable` (a priority at most `priority_max`). `channel`, `team`, the
 * requester, the organization and the assignee are never a customer's to set: the channel comes
 * from the path the request came by, the rest from staff and the policy. A field that is not
 * the customer's is refused (CUSTOMER_FIELD_NOT_ALLOWED), not silently dropped, so an API
 * client learns at once that its choice did not count.
 *
 * Reading: a customer's view of a ticket and of its events carries no triage (sentiment, risk
 * flags, the phrases that set them) ever, and no team, level, assignee, owner or tags (rules
 * tag tickets for triage, e.g. "churn-risk") unless the policy lists it in `public`.
 */
import { DomainError } from './errors.ts';
import { PRIORITIES, type CustomerFieldsDef, type CustomerPublicField, type CustomerSettableField, type Priority } from './policy/types.ts';
import { resolvePriority, type Level3 } from './ticket.ts';

/** The fields of a new ticket as a request gives them (undefined: not given). */
export interface RequestedTicketFields {
  channel?: string | undefined;
  priority?: Priority | undefined;
  impact?: Level3 | undefined;
  urgency?: Level3 | undefined;
  category?: string | undefined;
  tags?: readonly string[] | undefined;
  team?: string | undefined;
  requesterId?: string | undefined;
  requester?: { email: string; name?: string | undefined } | undefined;
  organizationId?: string | undefined;
  assigneeId?: string | undefined;
}

/** Never a customer's, whatever the policy says: wire name → why. */
const STAFF_ONLY: ReadonlyArray<[keyof RequestedTicketFields, string, string]> = [
  ['channel', 'channel', 'the channel is the path the request came by (the portal and the API are web, mail is email)'],
  ['team', 'team', 'the team is chosen by the policy and staff'],
  ['requesterId', 'requester_id', 'customers open tickets for themselves'],
  ['requester', 'requester', 'customers open tickets for themselves'],
  ['organizationId', 'organization_id', 'customers open tickets in their own organization'],
  ['assigneeId', 'assignee_id', 'staff assign tickets'],
];

const SETTABLE: ReadonlyArray<[keyof RequestedTicketFields, CustomerSettableField]> = [
  ['priority', 'priority'],
  ['impact', 'impact'],
  ['urgency', 'urgency'],
  ['category', 'category'],
  ['tags', 'tags'],
];

function refuse(field: string, why: string, settable: readonly string[]): DomainError {
  return new DomainError('CUSTOMER_FIELD_NOT_ALLOWED', `'${field}' is not yours to set when opening a ticket: ${why}; leave it out (staff set it)`, {
    field,
    settable: ['subject', 'body', 'attachment_ids', ...settable],
  });
}

/** Throws CUSTOMER_FIELD_NOT_ALLOWED for the first field of a customer's new ticket the policy does not leave to them. */
export function checkCustomerFields(def: CustomerFieldsDef, input: RequestedTicketFields): void {
  for (const [key, wire, why] of STAFF_ONLY) {
    if (input[key] !== undefined) throw refuse(wire, why, def.settable);
  }
  for (const [key, field] of SETTABLE) {
    if (input[key] !== undefined && !def.settable.includes(field)) {
      throw refuse(field, "the policy in force does not list it in customer_fields.settable", def.settable);
    }
  }
  const asked = input.priority !== undefined || (input.impact !== undefined && input.urgency !== undefined);
  if (asked && def.priorityMax !== null) {
    const priority = resolvePriority(input);
    if (PRIORITIES.indexOf(priority) > PRIORITIES.indexOf(def.priorityMax)) {
      const field = input.priority !== undefined ? 'priority' : 'impact';
      throw new DomainError('CUSTOMER_FIELD_NOT_ALLOWED', `a customer may ask for priority '${def.priorityMax}' at most; '${priority}' is set by staff`, {
        field,
        priority,
        priority_max: def.priorityMax,
        settable: ['subject', 'body', 'attachment_ids', ...def.settable],
      });
    }
  }
}

/** Keys of an event payload that are triage: never shown to customers. */
const TRIAGE_KEYS = new Set(['sentiment', 'risk', 'risk_flags', 'signals', 'matched', 'cues']);
/** Keys that name a team, a level, an assignee or an owner, by the public field that shows them. */
const ROUTING_KEYS: Readonly<Record<string, CustomerPublicField>> = {
  team: 'team',
  from_team: 'team',
  to_team: 'team',
  level: 'level',
  from_level: 'level',
  to_level: 'level',
  assignee: 'assignee',
  assignee_id: 'assignee',
  owner: 'owner',
  owner_id: 'owner',
  tags: 'tags',
};
/** `ticket.assigned` names assignees as `from`/`to`/`previous`. */
const ASSIGNMENT_KEYS = new Set(['from', 'to', 'previous']);

/** An event's payload as a customer sees it (the event is one customers may see at all: not internal). */
export function customerEventPayload(type: string, payload: Readonly<Record<string, unknown>>, def: CustomerFieldsDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (TRIAGE_KEYS.has(key)) continue;
    const field = Object.hasOwn(ROUTING_KEYS, key) ? ROUTING_KEYS[key] : undefined;
    if (field && !def.public.includes(field)) continue;
    if (type === 'ticket.assigned' && ASSIGNMENT_KEYS.has(key) && !def.public.includes('assignee')) continue;
    out[key] = value;
  }
  return out;
}
