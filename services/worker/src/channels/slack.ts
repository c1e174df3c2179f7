// The Slack adapter: posts { text } to an incoming webhook (or anything that takes Slack's JSON), on loopback in tests.
import { OutboundUrlError, outboundFetch, PermanentDeliveryError } from '@surveyflow/core';

type SlackMessage = { webhookUrl: string; text: string };

export interface SlackChannel {
  /** Resolves once Slack accepted the post; Slack gives no message id, so the id records the status. */
  send(message: SlackMessage): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

export function createSlackChannel(opts: {
  /** Lets hook URLs be http or private addresses (development and tests only). */
  allowPrivate: boolean;
  timeoutMs?: number;
}): SlackChannel {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    send: ({ webhookUrl, text }) => post(webhookUrl, text, opts.allowPrivate, timeoutMs),
    close: async () => {},
  };
}

/**
 * Slack answers 4xx for a revoked or wrong hook, which no retry fixes; 429 and 5xx may pass later,
 * and so may a timeout or a network error.
 */
async function post(
  url: string,
  text: string,
  allowPrivate: boolean,
  timeoutMs: number,
): Promise<{ messageId: string }> {
  let res: Awaited<ReturnType<typeof outboundFetch>>;
  try {
    res = await outboundFetch(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      },
      allowPrivate,
    );
  } catch (err) {
    if (err instanceof OutboundUrlError) throw new PermanentDeliveryError(`slack: ${err.message}`);
    throw err;
  }
  if (res.ok) {
    await res.body?.cancel();
    return { messageId: `slack:${res.status}` };
  }
  const detail = `slack ${res.status}: ${(await res.text()).slice(0, 200)}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new PermanentDeliveryError(detail);
  throw new Error(detail);
}
