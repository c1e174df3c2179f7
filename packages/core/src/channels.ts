// Ports to the outside world: what a channel adapter must do. Vendor SDKs live in the worker's adapters, never here.
export type EmailMessage = {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
};

export interface EmailChannel {
  /** Resolves with the provider's message id once the message has been handed over. */
  send(message: EmailMessage): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

/** The provider refused the message for good (bad address, policy): retrying cannot help. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}
