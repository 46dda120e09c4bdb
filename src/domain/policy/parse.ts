/**
 * Reading a policy document (the contract (docs/contract.md) §2): YAML or JSON in, the normalised `Policy` out, or
 * every problem at once, each with its path in the document and its line. Nothing is half
 * accepted: one problem anywhere and no policy is returned.
 *
 * Order matters only for references: calendars, then levels and teams (which name calendars and
 * levels), then SLA policies and rules (which name all of those and the templates). An id that is
 * defined but has problems of its own still counts as defined, so one mistake is reported once
 * rather than again at every place that names it.
 */
import { BUILTIN_TEMPLATE_NAMES } from './builtin-templates.ts';
import { readCalendars } from './parse-calendars.ts';
import { readCustomerFields } from './parse-customer-fields.ts';
import { readCustomerRequests } from './parse-customer-requests.ts';
import { readPlaybooks } from './parse-playbooks.ts';
import { readRootCauses } from './parse-root-causes.ts';
import { readRules } from './parse-rules.ts';
import { readSlaPolicies } from './parse-sla.ts';
import { checkLevelsStaffed, readLevels, readTeams } from './parse-teams.ts';
import { asMap, at, checkKeys, closest, get, Problems, readString } from './reader.ts';
import { POLICY_LIMITS, type PolicyTooComplex } from './limits.ts';
import { readSourceTree } from './source-tree.ts';
import type { Policy, PolicyProblem } from './types.ts';

export interface ParsePolicyOptions {
  /** `yaml` (the default) also reads JSON; `json` insists on strict JSON syntax. */
  format?: 'yaml' | 'json';
  /** The template names that exist; defaults to BUILTIN_TEMPLATE_NAMES. */
  templates?: readonly string[];
}

export type ParsePolicyResult =
  | { ok: true; policy: Policy }
  | {
      ok: false;
      /** At most POLICY_LIMITS.problemsListed, in document order. */
      problems: PolicyProblem[];
      /** How many problems there are in all (more than listed when the list was cut). */
      problemsTotal: number;
      /** Set when the document went past a limit of limits.ts (then `problems` has that one problem). */
      tooComplex?: PolicyTooComplex;
    };

const TOP_KEYS = ['version', 'calendars', 'levels', 'teams', 'sla', 'rules', 'templates', 'customer_requests', 'customer_fields', 'root_causes', 'playbooks'] as const;
const FORMAT_VERSIONS = [1];

export function parsePolicy(source: string, opts: ParsePolicyOptions = {}): ParsePolicyResult {
  const tree = readSourceTree(source, opts.format ?? 'yaml');
  if (!tree.ok) return refused(tree.problems, tree.tooComplex);
  const p = new Problems();
  if (tree.root === null) {
    return refused([{ path: '(document)', message: 'the policy document is empty', line: 1 }]);
  }
  const root = asMap(p, tree.root, '(document)', 'a policy document (a map with version, calendars, levels, teams, sla, rules, templates)');
  if (!root) return refused(p.list);
  checkKeys(p, root, '', TOP_KEYS, ['version', 'levels', 'teams']);

  const versionNode = get(root, 'version');
  let formatVersion: number | undefined;
  if (versionNode) {
    if (versionNode.kind === 'scalar' && typeof versionNode.value === 'number' && FORMAT_VERSIONS.includes(versionNode.value)) {
      formatVersion = versionNode.value;
    } else {
      p.add('version', `unsupported policy format version; write version: ${FORMAT_VERSIONS.join(' or ')}`, versionNode.line);
    }
  }

  const calendars = readCalendars(p, get(root, 'calendars'), 'calendars');
  const levels = readLevels(p, get(root, 'levels'), 'levels');
  const teams = readTeams(p, get(root, 'teams'), 'teams', levels.ids, calendars.ids);
  checkLevelsStaffed(p, levels, teams.staffed);

  const registry = new Set(opts.templates ?? BUILTIN_TEMPLATE_NAMES);
  const listed = readTemplateList(p, get(root, 'templates'), registry);
  const scope = { levels: levels.ids, teams: teams.ids, skills: teams.skills, people: teams.people, templates: registry };
  const sla = readSlaPolicies(p, get(root, 'sla'), 'sla', calendars.ids, scope);
  const rules = readRules(p, get(root, 'rules'), 'rules', scope);
  const customerRequests = readCustomerRequests(p, get(root, 'customer_requests'), 'customer_requests', scope);
  const customerFields = readCustomerFields(p, get(root, 'customer_fields'), 'customer_fields');
  const rootCauses = readRootCauses(p, get(root, 'root_causes'), 'root_causes');
  const playbooks = readPlaybooks(p, get(root, 'playbooks'), 'playbooks');

  if (p.list.length > 0 || formatVersion === undefined) return refused(sortProblems(p.list));
  const used = rules.flatMap((r) => r.do.flatMap((a) => (a.kind === 'notify' ? [a.template] : [])));
  return {
    ok: true,
    policy: {
      formatVersion,
      calendars: calendars.specs,
      levels: levels.levels,
      teams: teams.teams,
      sla,
      rules,
      // The listed names first, then any a rule uses without listing it: everything the policy relies on.
      templates: [...new Set([...listed, ...used])],
      ...(customerRequests && { customerRequests }),
      ...(customerFields && { customerFields }),
      rootCauses,
      playbooks,
    },
  };
}

function readTemplateList(p: Problems, node: ReturnType<typeof get>, registry: ReadonlySet<string>): string[] {
  if (!node) return [];
  if (node.kind !== 'seq') {
    p.add('templates', 'expected a list of template names', node.line);
    return [];
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const name = readString(p, item, at('templates', i), 'a template name');
    if (name === undefined) return;
    if (!registry.has(name)) {
      const near = closest(name, [...registry]);
      p.add(at('templates', i), `unknown template "${name}"; ${near ? `did you mean "${near}"?` : `known templates: ${[...registry].join(', ')}`}`, item.line);
      return;
    }
    if (!out.includes(name)) out.push(name);
  });
  return out;
}

/** The refusal: the first POLICY_LIMITS.problemsListed problems, and how many there are. */
function refused(list: PolicyProblem[], tooComplex?: PolicyTooComplex): ParsePolicyResult {
  const problems = list.length > POLICY_LIMITS.problemsListed ? list.slice(0, POLICY_LIMITS.problemsListed) : list;
  return { ok: false, problems, problemsTotal: list.length, ...(tooComplex && { tooComplex }) };
}

/** Document order: by line, problems without a line last. */
function sortProblems(list: PolicyProblem[]): PolicyProblem[] {
  return list
    .map((problem, i) => ({ problem, i }))
    .sort((a, b) => (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity) || a.i - b.i)
    .map((x) => x.problem);
}
