// Ports to the outside world: what a channel adapter must do. Vendor SDKs live in the worker's adapters, never here.
import { randomBytes } from 'node:crypto';
export type EmailMessage = {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /** Inline images (shown by cid:) and files; content in base64. */
  attachments?: { filename: string; contentType: string; cid: string; contentBase64: string }[];
};

/**
 * Records that a message is being handed to the provider, the point after which a crash leaves it
 * ambiguous. An adapter calls it at the last moment it can: connected, greeted and the provider
 * ready for the message itself, nothing of it sent yet. false: the claim is no longer ours, and the
 * adapter sends nothing (it rejects).
 */
export type HandOver = () => Promise<boolean>;

export interface EmailChannel {
  /**
   * Resolves with the provider's message id once the message has been handed over; calls `handOver`
   * (when given) once the SMTP server has said it is ready for the message data, before any of it.
   */
  send(message: EmailMessage, handOver?: HandOver): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

export type SmsMessage = {
  to: string;
  body: string;
  /** Where the provider reports delivery progress (Twilio's StatusCallback). */
  statusCallbackUrl?: string;
};

/** A message id for the dev outbox shaped like a Twilio SID, so everything downstream treats it the same. */
export const devMessageSid = () => `SMdev${randomBytes(16).toString('hex')}`;

export interface SmsChannel {
  /**
   * Resolves once the provider has accepted the message; segments is the billed part count. Calls
   * `handOver` (when given) immediately before the request to the provider.
   */
  send(message: SmsMessage, handOver?: HandOver): Promise<{ messageId: string; segments: number }>;
  close(): Promise<void>;
}

/** The hand-over was refused (the claim is no longer this sender's): nothing was sent. */
export class HandOverRefusedError extends Error {
  constructor() {
    super("not sent: the claim is no longer this sender's");
    this.name = 'HandOverRefusedError';
  }
}

/** The provider refused the message for good (bad address, policy): retrying cannot help. */
export class PermanentDeliveryError extends Error {
  /**
   * recipient_opted_out: the recipient told the carrier STOP (Twilio 21610) — suppress the contact.
   * hard_bounce: the address does not exist (SMTP 550/551/553, 5.1.x) — suppress the address.
   */
  constructor(
    message: string,
    readonly kind: 'rejected' | 'recipient_opted_out' | 'hard_bounce' = 'rejected',
  ) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * The provider is not taking messages at all right now (connection refused or timed out, SMTP 421/451,
 * HTTP 429): nothing was handed over, and every other message would fail the same way, so the whole
 * queue waits instead of each message using up its retries.
 */
export class ProviderUnavailableError extends Error {
  /** How long the provider asked us to wait (Retry-After), if it said; its HTTP status, if any. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, opts: { retryAfterMs?: number; status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ProviderUnavailableError';
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
  }
}

/** How a send ended: handed over (with the provider's id), failed for good, or to be retried. */
export type SendOutcome =
  | { sent: string; at: Date; nextReminderAt?: Date | null; segments?: number | undefined }
  | { failed: string }
  | { retry: true };
