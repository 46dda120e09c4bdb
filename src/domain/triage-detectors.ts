/**
 * The word detectors of triage: for each risk flag, the phrases that set it.
 *
 * Each flag's phrases are compiled once, at module load, into one case-insensitive regular
 * expression; a match's text (lower-cased, spaces collapsed) is the signal shown to the agent.
 * Phrases are written to avoid the common innocent uses of their words: a bare "cancel" ("I
 * cancelled the meeting") is not churn, only cancelling a contract, subscription, account…;
 * "Sue" is a name unless someone threatens to sue; an "SLA breach" is not a security breach; a
 * request for an invoice is not a billing dispute.
 */
export const RISK_FLAGS = ['legal', 'churn', 'billing', 'security', 'frustration'] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];

/** What a customer might cancel or leave: the object that turns "cancel" into churn. */
const CONTRACT = String.raw`(?:contract|subscription|account|membership|plan|service|licen[cs]e|agreement|partnership)s?`;
const PROVIDER = String.raw`(?:provider|vendor|supplier|competitor|platform|solution|company|service|tool|product)`;

/** The phrases per flag, as regular-expression sources (a space matches any white space). */
export const PHRASES: Readonly<Record<RiskFlag, readonly string[]>> = {
  legal: [
    String.raw`lawyers?`,
    String.raw`attorneys?`,
    String.raw`lawsuits?`,
    String.raw`legal (?:action|proceedings?|counsel|department|team|steps|advice|claim)`,
    String.raw`litigation`,
    String.raw`subpoenas?`,
    String.raw`(?:will|going to|gonna|shall|to|can|could|would|might|may) sue`,
    String.raw`suing`,
    String.raw`(?:see|take|taking) (?:you|them|this|it) to court`,
    String.raw`court (?:order|case|action)`,
    String.raw`cease and desist`,
    String.raw`small claims`,
    String.raw`breach of contract`,
    String.raw`gdpr`,
    String.raw`ccpa`,
    String.raw`hipaa`,
    String.raw`data protection`,
    String.raw`data subject (?:access )?requests?`,
    String.raw`dsar`,
    String.raw`right to (?:be forgotten|erasure)`,
    String.raw`(?:delete|erase|remove|export|misuse of|selling|sold|sharing|shared|leaking|leaked) (?:of )?(?:my|our) personal data`,
    String.raw`privacy (?:violation|breach|complaint|law|regulation)s?`,
    String.raw`(?:non-?compliance|compliance (?:issue|violation|breach|requirement|audit|officer)s?)`,
    String.raw`(?:report|complain)\w* (?:you |this |it )?to (?:the |a )?(?:regulators?|authorities|ombudsman|ftc|ico|bbb)`,
    String.raw`ombudsman`,
  ],
  churn: [
    // the verb, then determiners and at most two other words, then what is cancelled
    String.raw`(?:cancel|cancell?ing|cancell?ed|cancels|terminate|terminating|terminated)\s+(?:(?:my|our|the|this|your|their|all|of|whole|entire)\s+)*(?:[\w-]+\s+){0,2}?${CONTRACT}`,
    String.raw`(?:close|closing|delete|deleting) (?:my|our) (?:whole |entire )?(?:account|subscription)s?`,
    String.raw`(?:cancellation|termination)(?: notice)? (?:of|for) (?:(?:my|our|the|this)\s+)*(?:[\w-]+\s+)?${CONTRACT}`,
    String.raw`(?:switch|switching|move|moving|go|going|migrate|migrating)(?: over)? to (?:a |an |another |one of your )?(?:different |new |other )?(?:${PROVIDER}s?)`,
    String.raw`switch(?:ing)? (?:${PROVIDER}s)`,
    String.raw`(?:we are|we're|i am|i'm|we will be|we'll be|we are now) leaving (?:you|your ${PROVIDER})`,
    String.raw`(?:not|won'?t|will not|don'?t|do not|no longer) (?:be )?renew(?:ing)?`,
    String.raw`take (?:our|my) business elsewhere`,
    String.raw`(?:looking for|evaluating|considering) (?:an? )?(?:alternatives?|other (?:${PROVIDER})s?|competitors?)`,
    String.raw`(?:unsubscribe|opt out) from (?:your|the) (?:service|platform|product)`,
  ],
  billing: [
    String.raw`refund(?:s|ed|ing)?`,
    String.raw`charged (?:me |us )?(?:twice|two times|double|again|without)`,
    String.raw`double(?:-| )charged`,
    String.raw`over-?charged`,
    String.raw`charge-?backs?`,
    String.raw`(?:paid|billed|charged) (?:twice|two times)`,
    String.raw`duplicate (?:charge|payment|invoice|billing)s?`,
    String.raw`(?:wrong|incorrect|inaccurate|erroneous) (?:invoice|bill|charge|amount|billing)s?`,
    String.raw`(?:invoice|bill)s? (?:is |are |was |were )?(?:wrong|incorrect|inaccurate)`,
    String.raw`billing (?:error|issue|dispute|problem|mistake)s?`,
    String.raw`dispute (?:the |a |this |that )?(?:charge|payment|invoice|bill)s?`,
    String.raw`unauthori[sz]ed (?:charge|payment|transaction|debit)s?`,
    String.raw`(?:want|need|get) (?:my |our )?money back`,
    String.raw`extra charges?`,
  ],
  security: [
    String.raw`(?<!sla(?:-| ))(?<!sla was )(?<!sla has been )breach(?:ed|es)?(?! of contract)`,
    String.raw`hacked`,
    String.raw`hackers?`,
    String.raw`phishing`,
    String.raw`vulnerabilit(?:y|ies)`,
    String.raw`exploit(?:ed|s)?`,
    String.raw`malware`,
    String.raw`ransomware`,
    String.raw`(?:leaked|exposed|stolen|compromised) (?:credentials?|passwords?|api keys?|keys?|tokens?|data|accounts?)`,
    String.raw`(?:credentials?|passwords?|api keys?|tokens?|accounts?) (?:were |was |have been |has been |got )?(?:leaked|exposed|stolen|compromised)`,
    String.raw`(?:is|was|were|been|got|are|being) compromised`,
    String.raw`data leak`,
    String.raw`unauthori[sz]ed (?:access|login|log-?in|sign-?in|user)s?`,
    String.raw`account takeover`,
    String.raw`suspicious (?:login|log-?in|sign-?in|activity|email)s?`,
    String.raw`cve-\d{4}-\d+`,
    String.raw`sql injection`,
    String.raw`xss`,
  ],
  frustration: [
    String.raw`(?:third|fourth|fifth|sixth|3rd|4th|5th|6th|\d+th|umpteenth) time`,
    String.raw`(?:how many|so many|countless|multiple|several|numerous) times`,
    String.raw`again and again`,
    String.raw`over and over`,
    String.raw`still (?:not|isn'?t|hasn'?t been|has not been|wasn'?t) (?:fixed|working|resolved|solved|sorted|addressed)`,
    String.raw`still (?:broken|waiting|no (?:answer|response|reply|update|fix))`,
    String.raw`unacceptable`,
    String.raw`ridiculous`,
    String.raw`outrageous`,
    String.raw`fed up`,
    String.raw`sick (?:and tired|of)`,
    String.raw`waste of (?:time|money)`,
    String.raw`(?:worst|terrible|horrible|awful|pathetic) (?:service|support|experience|company)`,
    String.raw`(?:no ?one|nobody) (?:is )?(?:responding|answering|helping|responds|answers|helps|cares|replied|responded)`,
    String.raw`(?:speak|talk) to (?:a |your )?(?:manager|supervisor)`,
    String.raw`(?:frustrated|frustrating|furious|disappointed|incompetent|useless)`,
  ],
};

function compile(phrases: readonly string[]): RegExp {
  // \b on both ends: whole words and phrases only ("hackathon" is not "hacked"). A space in a
  // phrase stands for any run of white space, line breaks included.
  const source = phrases.join('|').replaceAll(' ', String.raw`\s+`);
  return new RegExp(String.raw`\b(?:${source})\b`, 'gi');
}

/** One precompiled global regex per flag. */
export const DETECTORS: ReadonlyArray<readonly [RiskFlag, RegExp]> = RISK_FLAGS.map(
  (flag) => [flag, compile(PHRASES[flag])] as const,
);

/** The distinct matches of `re` in `text`, lower-cased with spaces collapsed, in text order. */
export function matchesOf(re: RegExp, text: string): string[] {
  if (!re.global) return [...text.matchAll(re)].map((m) => m[0]); // throws, as matchAll does
  // The matches matchAll would give (it iterates a copy of `re` from re.lastIndex), found with
  // exec on `re` itself — several times faster than the copy and the iterator per call; the
  // regex's lastIndex is left as it was.
  const found = new Set<string>();
  const from = re.lastIndex;
  try {
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0] === '') re.lastIndex = advance(text, re.lastIndex, re.unicode || re.flags.includes('v'));
      found.add(m[0].toLowerCase().replace(/\s+/g, ' '));
    }
  } finally {
    re.lastIndex = from;
  }
  return [...found];
}

/** AdvanceStringIndex: past an empty match, by one code unit, or one code point in unicode mode. */
function advance(text: string, index: number, unicode: boolean): number {
  if (!unicode || index + 1 >= text.length) return index + 1;
  const c = text.charCodeAt(index);
  if (c < 0xd800 || c > 0xdbff) return index + 1;
  const d = text.charCodeAt(index + 1);
  return d >= 0xdc00 && d <= 0xdfff ? index + 2 : index + 1;
}
