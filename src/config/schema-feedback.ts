/**
 * Config schema of the feedback loop (`feedback.*`): suppression thresholds, the inbound
 * DSN/ARF listener (port 25 role, no AUTH), the public one-click unsubscribe endpoint (RFC 8058),
 * complaint cases and webhooks. Port 0 → ephemeral. Every limit is explicit: the inbound
 * listener is public and must stay cheap to run under abuse.
 */
import { Type } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Duration = Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' });

export const FeedbackSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    suppression: Type.Object(
      {
        /** Soft failures (soft bounces, expirations) on this many distinct days within softBounceWindow suppress. */
        softBounceDays: Type.Integer({ minimum: 1 }),
        softBounceWindow: Duration,
        /** How long a soft-bounce suppression lasts. */
        softSuppressFor: Duration,
      },
      Strict,
    ),
    inbound: Type.Object(
      {
        enabled: Type.Boolean(),
        host: Type.String({ minLength: 1 }),
        port: Port,
        /** Feedback-loop report addresses (ARF), besides anything at delivery.bounceDomain. */
        feedbackAddresses: Type.Array(Type.String({ minLength: 3 })),
        maxMessageSize: Type.Integer({ minimum: 1024 }),
        maxConnectionsPerIp: Type.Integer({ minimum: 1 }),
        /** Messages accepted per client IP per minute. */
        messagesPerMinutePerIp: Type.Integer({ minimum: 1 }),
        socketTimeout: Duration,
      },
      Strict,
    ),
    unsubscribe: Type.Object(
      {
        enabled: Type.Boolean(),
        host: Type.String({ minLength: 1 }),
        port: Port,
        /** Public base URL of the endpoint, e.g. https://u.example.net (the header holds <baseUrl>/u/TOKEN). */
        baseUrl: Type.String({ minLength: 1 }),
        /** Local part of the mailto: address at delivery.bounceDomain. */
        mailtoLocalPart: Type.String({ minLength: 1 }),
        /**
         * Tenants not listed in `tenants`: add the headers to their bulk-stream mail only
         * (X-Ferry-Stream bulk/marketing, Precedence bulk/list/junk, List-Id; src/domain/stream.ts).
         * Replaces `defaultOn` (which meant every message): an old config stops at the unknown key.
         */
        bulkDefault: Type.Boolean(),
        /** Tenant id → true: all its mail gets the headers; false: never (the gate then refuses its bulk without one). */
        tenants: Type.Record(Type.String(), Type.Boolean()),
      },
      Strict,
    ),
    complaints: Type.Object(
      {
        /** Proof of consent is due within this after a complaint. */
        consentDeadline: Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$' }),
        checkEvery: Duration,
      },
      Strict,
    ),
    webhooks: Type.Object(
      {
        enabled: Type.Boolean(),
        timeout: Duration,
        /** Retries with backoff (first … max) for this long, then the event is dropped and counted. */
        retryFor: Duration,
        firstRetry: Duration,
        maxRetry: Duration,
        /** Accepted age of a signature's timestamp (receivers should check it). */
        replayWindow: Duration,
        pollEvery: Duration,
      },
      Strict,
    ),
  },
  Strict,
);
