/** How one outgoing message reads in the timeline. */
import type { TicketNotification } from './api.ts';
import { label, when } from './format.ts';

const STATE_TEXT: Record<TicketNotification['state'], string> = {
  queued: 'queued',
  held: 'held',
  waiting: 'waiting',
  sending: 'sending',
  sent: 'sent',
  merged: 'sent within another message',
  failed: 'failed',
  cancelled: 'not sent',
};

/** One line per outgoing message, its state as it is now (retries change the line, never add one). */
export function describeNotification(n: TicketNotification): { tone: string; text: string } {
  const tone = n.state === 'failed' ? 'warn' : n.state === 'waiting' || n.state === 'held' ? 'sla' : 'muted';
  const why = n.reason && n.state !== 'sent' ? `: ${n.reason}` : '';
  const attempts = n.attempts > 1 ? ` after ${n.attempts} attempts` : '';
  const at = n.sent_at && (n.state === 'sent' || n.state === 'merged') ? ` ${when(n.sent_at)}` : '';
  // Reasons like "waiting: no email channel" already name the state.
  const state = n.reason?.startsWith(`${n.state}:`) && n.state !== 'sent' ? n.reason : `${STATE_TEXT[n.state]}${at}${attempts}${why}`;
  return { tone, text: `${label(n.template)} to ${n.recipient} by ${n.channel} — ${state}` };
}

