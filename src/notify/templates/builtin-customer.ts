/**
 * The customer-facing messages Escalon ships. They see a redacted context (no internal
 * addresses, rules or trigger points: see redactForCustomer in render-context-loader.ts).
 */
import type { TemplateSource } from './template-source.ts';

const htmlShell = (inner: string) =>
  `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${inner}<p style="color:#666;font-size:12px">Reference {{ ticket.key }} · reply to this message to add to your request.</p></body></html>`;

export const CUSTOMER_TEMPLATES: Record<string, TemplateSource> = {
  'ticket-received-customer': {
    audience: 'customer',
    subject: '[{{ ticket.key }}] We received your request: {{ ticket.subject }}',
    text: `Hello {{ customer.name }},

we have received your request "{{ ticket.subject }}" and logged it as {{ ticket.key }}.
{% if expectations.text %}{{ expectations.text }}
{% endif %}
Reply to this message to add information.

Your support team`,
    html: htmlShell(`<p>Hello {{ customer.name }},</p><p>we have received your request “{{ ticket.subject }}” and logged it as <strong>{{ ticket.key }}</strong>.</p>{% if expectations.text %}<p>{{ expectations.text }}</p>{% endif %}<p>Your support team</p>`),
  },
  'escalated-customer-update': {
    audience: 'customer',
    subject: '[{{ ticket.key }}] Your request has been escalated',
    text: `Hello {{ customer.name }},

your request "{{ ticket.subject }}" ({{ ticket.key }}) now has the attention of {% if escalation.to_level %}our {{ escalation.to_level }} {% endif %}specialists.
{% if expectations.text %}{{ expectations.text }}
{% endif %}
We will keep you informed of our progress. Reply to this message to add information.

Your support team`,
    html: htmlShell(`<p>Hello {{ customer.name }},</p><p>your request “{{ ticket.subject }}” ({{ ticket.key }}) now has the attention of {% if escalation.to_level %}our {{ escalation.to_level }} {% endif %}specialists.</p>{% if expectations.text %}<p><strong>What to expect:</strong> {{ expectations.text }}</p>{% endif %}<p>We will keep you informed of our progress.</p><p>Your support team</p>`),
  },
  'customer-progress-update': {
    audience: 'customer',
    subject: '[{{ ticket.key }}] Progress update: {{ ticket.subject }}',
    text: `Hello {{ customer.name }},

here is an update on {{ ticket.key }} (status: {{ ticket.status }}).
{% if latest_update %}
{{ latest_update }}
{% endif %}{% if expectations.text %}
{{ expectations.text }}
{% endif %}
Your support team`,
    html: htmlShell(`<p>Hello {{ customer.name }},</p><p>here is an update on {{ ticket.key }} (status: {{ ticket.status }}).</p>{% if latest_update %}<blockquote>{{ latest_update | escape | newline_to_br | raw }}</blockquote>{% endif %}{% if expectations.text %}<p>{{ expectations.text }}</p>{% endif %}<p>Your support team</p>`),
  },
  'resolved-customer-survey': {
    audience: 'customer',
    subject: '[{{ ticket.key }}] Resolved: {{ ticket.subject }} — how did we do?',
    text: `Hello {{ customer.name }},

we have resolved your request "{{ ticket.subject }}" ({{ ticket.key }}).
If anything is still not right, reply to this message and we will reopen it.
{% if survey_url %}
How did we do? Rate us from 1 to 5 (it takes ten seconds):
{{ survey_url }}
{% endif %}
Your support team`,
    html: htmlShell(`<p>Hello {{ customer.name }},</p><p>we have resolved your request “{{ ticket.subject }}” ({{ ticket.key }}). If anything is still not right, reply to this message and we will reopen it.</p>{% if survey_url %}<p>How did we do? <a href="{{ survey_url }}">Rate us from 1 to 5</a>.</p>{% endif %}<p>Your support team</p>`),
  },
  'intake-confirm-customer': {
    audience: 'customer',
    subject: 'Please confirm your request: {{ ticket.subject }}',
    text: `Hello {{ customer.name }},

someone — we hope you — sent a request in your name through our web form: "{{ ticket.subject }}".
To protect your account, we open it only once you confirm it came from you:

{{ confirmation_url }}

The link is valid for 24 hours. If you did not send this request, ignore this message: nothing will be opened.

Your support team`,
    html: `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5"><p>Hello {{ customer.name }},</p><p>someone — we hope you — sent a request in your name through our web form: “{{ ticket.subject }}”. To protect your account, we open it only once you confirm it came from you.</p><p><a href="{{ confirmation_url }}">Confirm my request</a></p><p>The link is valid for 24 hours. If you did not send this request, ignore this message: nothing will be opened.</p><p>Your support team</p></body></html>`,
  },
  // The one-time set-password link of an invitation or an admin's reset (app/password-links.ts);
  // ticket-less: `confirmation_url` is the link, `ticket.subject` says which of the two it is.
  'account-set-password': {
    audience: 'customer',
    subject: '{{ ticket.subject }}',
    text: `Hello {{ customer.name }},

{{ ticket.subject }}: choose your password here (the link works once):

{{ confirmation_url }}

Your account is {{ customer.email }}. The link is valid for 72 hours; if you did not expect this message, ignore it.

Your support team`,
    html: `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5"><p>Hello {{ customer.name }},</p><p>{{ ticket.subject }}: choose your password here (the link works once).</p><p><a href="{{ confirmation_url }}">Set my password</a></p><p>Your account is {{ customer.email }}. The link is valid for 72 hours; if you did not expect this message, ignore it.</p><p>Your support team</p></body></html>`,
  },
  // A staff reply, delivered as it was written: the agent's text is data, never template source.
  // Written by reply-outbox.ts for every public staff reply (not a policy template: a rule's
  // notice has no reply to carry, so it is not in BUILTIN_TEMPLATE_NAMES).
  'customer-reply': {
    audience: 'customer',
    subject: '[{{ ticket.key }}] Re: {{ ticket.subject }}',
    text: `{{ reply.body }}

--
{{ reply.author }}, your support team
Reference {{ ticket.key }} · reply to this message to answer.`,
    html: htmlShell(`<div>{{ reply.body | escape | newline_to_br | raw }}</div><p>— {{ reply.author }}, your support team</p>`),
  },
};
