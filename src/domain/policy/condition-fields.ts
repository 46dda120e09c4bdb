/**
 * The fields a condition can test (the contract (docs/contract.md) §4), each with its type, the operators that make
 * sense for it and how to read it from the Facts. Validation and compilation share this table,
 * so a condition that validates always compiles.
 */
import { METRICS, PRIORITIES, RISK_FLAGS, STATUSES, type ConditionOp, type Facts } from './types.ts';

export type FieldType = 'enum' | 'string' | 'list' | 'number' | 'boolean';

export interface FieldSpec {
  type: FieldType;
  /** May the fact be null (and so be compared with null)? */
  nullable: boolean;
  /** For enum fields: the fixed words, or which policy ids are allowed. */
  values?: readonly string[] | 'levels' | 'teams';
  read: (facts: Facts) => unknown;
}

export const OPS_BY_TYPE: Record<FieldType, readonly ConditionOp[]> = {
  enum: ['eq', 'ne', 'in', 'matches'],
  string: ['eq', 'ne', 'in', 'matches'],
  list: ['eq', 'ne', 'in', 'includes', 'matches'],
  number: ['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte'],
  boolean: ['eq', 'ne'],
};

const FIELDS: Record<string, FieldSpec> = {
  priority: { type: 'enum', nullable: false, values: PRIORITIES, read: (f) => f.priority },
  status: { type: 'enum', nullable: false, values: STATUSES, read: (f) => f.status },
  channel: { type: 'string', nullable: false, read: (f) => f.channel },
  category: { type: 'string', nullable: true, read: (f) => f.category },
  tags: { type: 'list', nullable: false, read: (f) => f.tags },
  text: { type: 'string', nullable: false, read: (f) => f.text },
  level: { type: 'enum', nullable: false, values: 'levels', read: (f) => f.level },
  team: { type: 'enum', nullable: false, values: 'teams', read: (f) => f.team },
  'organization.id': { type: 'string', nullable: false, read: (f) => f.organization.id },
  'organization.tier': { type: 'string', nullable: false, read: (f) => f.organization.tier },
  'organization.contract_value': { type: 'number', nullable: true, read: (f) => f.organization.contract_value },
  'sla.metric': { type: 'enum', nullable: true, values: METRICS, read: (f) => f.sla.metric },
  'sla.percent_elapsed': { type: 'number', nullable: true, read: (f) => f.sla.percent_elapsed },
  reassignments: { type: 'number', nullable: false, read: (f) => f.reassignments },
  team_moves: { type: 'number', nullable: false, read: (f) => f.team_moves },
  bounces: { type: 'number', nullable: false, read: (f) => f.bounces },
  reopens: { type: 'number', nullable: false, read: (f) => f.reopens },
  escalations: { type: 'number', nullable: false, read: (f) => f.escalations },
  sentiment: { type: 'number', nullable: false, read: (f) => f.sentiment },
};

for (const flag of RISK_FLAGS) {
  FIELDS[`risk.${flag}`] = { type: 'boolean', nullable: false, read: (f) => f.risk[flag] === true };
}

// The latest score of the risk model in force (issue 14); no score (no model) makes every comparison false.
FIELDS['risk.score'] = { type: 'number', nullable: true, read: (f) => f.riskScore ?? null };

export const CONDITION_FIELDS: readonly string[] = Object.keys(FIELDS);

export function fieldSpec(name: string): FieldSpec | undefined {
  return Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
}
