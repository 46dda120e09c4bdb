import { describe, expect, it } from 'vitest';
import { RISK_FLAGS, VERY_NEGATIVE, triage, type RiskFlag } from '../../src/domain/triage.ts';

type Case = [text: string, flag: RiskFlag, signal: string];

const POSITIVES: Case[] = [
  ['My lawyer will contact you next week.', 'legal', 'lawyer'],
  ['Our attorneys are reviewing this.', 'legal', 'attorneys'],
  ['We are preparing a lawsuit.', 'legal', 'lawsuit'],
  ['We received a subpoena for these records.', 'legal', 'subpoena'],
  ['This violates the GDPR.', 'legal', 'gdpr'],
  ['Under data protection law you must answer.', 'legal', 'data protection'],
  ['We will sue if this is not fixed.', 'legal', 'will sue'],
  ['I am considering legal action.', 'legal', 'legal action'],
  ['Please delete my personal data.', 'legal', 'delete my personal data'],
  ['I filed a data subject access request in May.', 'legal', 'data subject access request'],
  ['We want to cancel our subscription.', 'churn', 'cancel our subscription'],
  ['Please terminate the contract at the end of the month.', 'churn', 'terminate the contract'],
  ['I am cancelling my whole account today.', 'churn', 'cancelling my whole account'],
  ['We are switching to another provider.', 'churn', 'switching to another provider'],
  ['We’re leaving you for a competitor.', 'churn', "we're leaving you"],
  ['We will not renew next year.', 'churn', 'will not renew'],
  ['Time to take our business elsewhere.', 'churn', 'take our business elsewhere'],
  ['Please close my account.', 'churn', 'close my account'],
  ['This is a notice of termination of our agreement.', 'churn', 'termination of our agreement'],
  ['I want a refund.', 'billing', 'refund'],
  ['You charged me twice for March.', 'billing', 'charged me twice'],
  ['My card was double-charged.', 'billing', 'double-charged'],
  ['I will file a chargeback.', 'billing', 'chargeback'],
  ['The invoice is wrong again.', 'billing', 'invoice is wrong'],
  ['There is a billing error on our account.', 'billing', 'billing error'],
  ['I see an unauthorized charge from you.', 'billing', 'unauthorized charge'],
  ['We think there was a data breach.', 'security', 'breach'],
  ['My account was hacked.', 'security', 'hacked'],
  ['I got a phishing mail from your domain.', 'security', 'phishing'],
  ['We found a vulnerability in your API.', 'security', 'vulnerability'],
  ['Our leaked credentials are on a paste site.', 'security', 'leaked credentials'],
  ['The admin password has been stolen.', 'security', 'password has been stolen'],
  ['Someone got unauthorized access to our data.', 'security', 'unauthorized access'],
  ['Are you affected by CVE-2024-3094?', 'security', 'cve-2024-3094'],
  ['This is the third time I write.', 'frustration', 'third time'],
  ['It is still not fixed.', 'frustration', 'still not fixed'],
  ['This delay is unacceptable.', 'frustration', 'unacceptable'],
  ['How many times do I have to ask?', 'frustration', 'how many times'],
  ['I want to speak to a manager.', 'frustration', 'speak to a manager'],
  ['THIS IS STILL BROKEN AFTER A WEEK', 'frustration', 'shouting: "THIS IS STILL BROKEN AFTER A WEEK"'],
  ['Nothing works!!!', 'frustration', '"!!!"'],
  ['Where is my answer?!?!', 'frustration', '"?!?!"'],
];

const NEGATIVES: [text: string, flag: RiskFlag][] = [
  ['I cancelled the meeting, can we talk tomorrow?', 'churn'],
  ['Please cancel my order #1234 and ship the other one.', 'churn'],
  ['How do I terminate a running job?', 'churn'],
  ['Please switch to dark mode by default.', 'churn'],
  ['I am leaving for vacation on Friday.', 'churn'],
  ['Sue from accounting asked me to write.', 'legal'],
  ['Please update the address in my profile.', 'legal'],
  ['Please send me the invoice for March.', 'billing'],
  ['The SLA breach report is attached.', 'security'],
  ['We won the hackathon with your API!', 'security'],
  ['Thank you so much!!! GREAT WORK TEAM', 'frustration'],
  ['Our SSO SAML LDAP setup works fine.', 'frustration'],
  ['Could you check the VPN config? Thanks!', 'frustration'],
  ['I restarted the router, it works now.', 'frustration'],
];

describe('triage: each detector fires on its words and explains itself', () => {
  it.each(POSITIVES)('%s → %s', (text, flag, signal) => {
    const result = triage(text);
    expect(result.flags[flag]).toBe(true);
    expect(result.signals[flag]).toContain(signal);
  });
});

describe('triage: innocent uses of the same words do not fire', () => {
  it.each(NEGATIVES)('%s is not %s', (text, flag) => {
    const result = triage(text);
    expect(result.flags[flag]).toBe(false);
    expect(result.signals[flag]).toEqual([]);
  });
});

describe('triage: shape and sentiment', () => {
  it('reports all five flags and a signal list for each, consistent with the flags', () => {
    const result = triage(
      'We were hacked, I want a refund, or we cancel our contract and call our lawyer. UNACCEPTABLE!!!',
    );
    expect(Object.keys(result.flags).sort()).toEqual([...RISK_FLAGS].sort());
    for (const flag of RISK_FLAGS) {
      expect(result.flags[flag]).toBe(true);
      expect(result.signals[flag]?.length).toBeGreaterThan(0);
    }
  });

  it('neutral text sets no flag and sentiment 0', () => {
    const result = triage('The export button is on the second page.');
    expect(result.flags).toEqual({
      legal: false,
      churn: false,
      billing: false,
      security: false,
      frustration: false,
    });
    expect(result.sentiment).toBe(0);
  });

  it('empty text is neutral', () => {
    expect(triage('').sentiment).toBe(0);
    expect(Object.values(triage('').flags).some(Boolean)).toBe(false);
  });

  it('sentiment is in [-1, 1], negative for angry text and positive for happy text', () => {
    const angry = triage('I hate this awful, terrible, horrible product. Worst support ever.');
    const happy = triage('Great job, thank you, you are wonderful and the fix is perfect.');
    expect(angry.sentiment).toBeLessThan(0);
    expect(angry.sentiment).toBeGreaterThanOrEqual(-1);
    expect(happy.sentiment).toBeGreaterThan(0);
    expect(happy.sentiment).toBeLessThanOrEqual(1);
  });

  it('negation flips a word: "not good" is not positive', () => {
    expect(triage('This is good').sentiment).toBeGreaterThan(0);
    expect(triage('This is not good').sentiment).toBeLessThan(0);
  });

  it('a very negative sentiment alone sets frustration, and names the words', () => {
    const result = triage('I hate this awful, terrible, horrible product.');
    expect(result.sentiment).toBeLessThanOrEqual(VERY_NEGATIVE);
    expect(result.flags.frustration).toBe(true);
    const signal = result.signals.frustration?.find((s) => s.startsWith('sentiment '));
    expect(signal).toContain('hate');
    expect(signal).toContain('awful');
  });

  it('mostly-capital text counts as shouting even without a long run of words', () => {
    const result = triage('FIX IT NOW. FIX IT.');
    expect(result.signals.frustration).toContain('shouting: mostly capitals');
  });

  it('signals are lower-cased, space-collapsed and not repeated', () => {
    const result = triage('REFUND please. Refund! refund.');
    expect(result.signals.billing).toEqual(['refund']);
    expect(triage('charged\n  twice').signals.billing).toEqual(['charged twice']);
  });

  it('is deterministic: the global regexes keep no state between calls', () => {
    const first = triage('I want a refund, charged twice');
    const second = triage('I want a refund, charged twice');
    expect(second).toEqual(first);
  });
});
