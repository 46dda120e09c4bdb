/**
 * The channel interface: one delivery attempt of one message, and what came of it. A channel
 * never retries by itself; the dispatcher decides from the outcome:
 *   sent    — the receiver took it;
 *   retry   — a temporary failure (timeout, 5xx, 429, SMTP 4xx, connection refused): try later,
 *             not before `retryAfterMs` when the receiver said so;
 *   failed  — permanent (SMTP 5xx, 410 Gone, refused by the SSRF guard): no more attempts;
 *             `disableEndpoint` says the whole endpoint must be switched off.
 */
import type { Readable } from 'node:stream';

export interface OutgoingMessage {
  /** Stable across retries: the Message-ID of a mail, the webhook-id of a webhook. */
  messageId: string;
  /** An email address, a webhook URL or a phone number. */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Structured facts for webhook receivers (ticket key, template, rule, …). */
  data: Record<string, unknown>;
  ticketKey: string | null;
  /** The signed reply address, for mail a customer or agent can answer. */
  replyTo?: string;
  /** The ticket's thread root, so mail clients group every message of a ticket. */
  threadId?: string;
  /** A reply's Message-ID it answers (the customer's latest mail), full with angle brackets. */
  inReplyTo?: string;
  /** Earlier Message-IDs of the conversation, oldest first (after the thread root). */
  references?: string[];
  /** Files sent with the message (email only); each attempt opens a fresh stream. */
  attachments?: OutgoingAttachment[];
}

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  /** A stream of the bytes (never loaded whole), or a file path. */
  open(): Readable | string;
}

export type DeliveryOutcome =
  | { kind: 'sent'; statusCode?: number }
  | { kind: 'retry'; error: string; statusCode?: number; retryAfterMs?: number }
  | { kind: 'failed'; error: string; statusCode?: number; disableEndpoint?: string };

export interface Channel {
  readonly name: string;
  deliver(message: OutgoingMessage, at: number): Promise<DeliveryOutcome>;
  close?(): Promise<void>;
}
