// The SMS adapter: Twilio's REST API through the official client, or into the dev outbox (Postgres) when no account is configured.
import {
  type Database,
  devMessageSid,
  type HandOver,
  HandOverRefusedError,
  PermanentDeliveryError,
  ProviderUnavailableError,
  type SmsChannel,
  type SmsMessage,
  smsSegments,
  storeDevOutboxMessage,
} from '@surveyflow/core';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

const twilioApi = 'https://api.twilio.com';

/** Refusals Twilio reports with a 4xx too, named so the intent survives a change in their status codes. */
const rejectedCodes = new Set([
  21211, // invalid To number
  21408, // no permission to send to that region
  21612, // the To number cannot be reached from this sender
  21614, // To is not a mobile number
]);

const networkCodes = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

export function createSmsChannel(opts: {
  accountSid?: string;
  authToken?: string;
  from?: string;
  messagingServiceSid?: string;
  apiUrl: string;
  database: Database;
  devOutbox: boolean;
}): SmsChannel {
  const { accountSid, authToken } = opts;
  if (opts.devOutbox || !accountSid || !authToken) return devOutboxChannel(opts.from ?? 'dev', opts.database);
  return twilioChannel({ ...opts, accountSid, authToken });
}

function twilioChannel(opts: {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  apiUrl: string;
}): SmsChannel {
  // Retries belong to the queue (backoff, rate limiter), not to a client that would hold the job meanwhile.
  const httpClient = opts.apiUrl === twilioApi ? undefined : new RedirectingRequestClient(opts.apiUrl);
  const client = twilio(opts.accountSid, opts.authToken, { httpClient, autoRetry: false });
  const sender = opts.messagingServiceSid
    ? { messagingServiceSid: opts.messagingServiceSid }
    : { from: opts.from };
  return {
    async send(message, handOver) {
      // After the queue's rate limiter and every wait: the request below is the provider call itself.
      if (handOver && !(await handOver())) throw new HandOverRefusedError();
      try {
        const msg = await client.messages.create({
          to: message.to,
          body: message.body,
          ...sender,
          statusCallback: message.statusCallbackUrl,
        });
        // A Messaging Service reports 0 parts until it has picked a sender.
        return {
          messageId: msg.sid,
          segments: Number(msg.numSegments) || smsSegments(message.body).segments,
        };
      } catch (err) {
        throw classify(err);
      }
    },
    async close() {},
  };
}

/** Sends every request to apiUrl instead of Twilio (a proxy, or a fake on loopback) and keeps path and query. */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly apiUrl: string) {
    super({ autoRetry: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    // Any origin, not only api.twilio.com: TWILIO_EDGE or TWILIO_REGION would rename the host and slip past.
    const { pathname, search } = new URL(opts.uri);
    return super.request({ ...opts, uri: `${this.apiUrl}${pathname}${search}` });
  }
}

/**
 * A refusal for good becomes PermanentDeliveryError; 429 and an unreachable API mean Twilio is not
 * taking messages now (ProviderUnavailableError: the queue waits); 5xx goes back to the queue as it is.
 */
function classify(err: unknown): unknown {
  if (!(err instanceof twilio.RestException)) {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && networkCodes.has(code)
      ? new ProviderUnavailableError(`twilio unreachable: ${(err as Error).message}`, { cause: err })
      : err;
  }
  const reason = `twilio ${err.code ?? err.status}: ${err.message}`;
  if (err.status === 429) return new ProviderUnavailableError(reason, { status: 429, cause: err });
  if (err.code === 21610) return new PermanentDeliveryError(reason, 'recipient_opted_out');
  const refused = err.status >= 400 && err.status < 500 && err.status !== 429;
  if (refused || (err.code !== undefined && rejectedCodes.has(err.code))) {
    return new PermanentDeliveryError(reason, 'rejected');
  }
  return err;
}

/** Keeps the text for /dev/outbox; the id looks like a Twilio SID so status handling treats it the same. */
function devOutboxChannel(sender: string, database: Database): SmsChannel {
  return {
    async send(message: SmsMessage, handOver?: HandOver) {
      if (handOver && !(await handOver())) throw new HandOverRefusedError();
      const messageId = devMessageSid();
      await storeDevOutboxMessage(database, {
        channel: 'sms',
        messageId,
        sender,
        recipient: message.to,
        subject: null,
        text: message.body,
      });
      return { messageId, segments: smsSegments(message.body).segments };
    },
    async close() {},
  };
}
