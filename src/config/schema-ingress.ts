/**
 * Config schema: node-wide keys and the ingress (SMTP submission) section.
 * Every object forbids unknown keys, so a typo stops the process naming the key.
 */
import { Type } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;
const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const LogSchema = Type.Object(
  {
    level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  },
  Strict,
);

export const SecretsSchema = Type.Object(
  {
    /** Master key (32 bytes as 64 hex chars or base64) that encrypts DKIM private keys at rest. */
    masterKey: Type.String({ default: '' }),
    /** Where the master key is kept when `masterKey` is empty; created on first start (0600). */
    masterKeyFile: Type.String({ default: '' }),
  },
  Strict,
);

export const IngressSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    /** Name in the banner, EHLO reply and Received headers. */
    hostname: Type.String({ minLength: 1 }),
    submission: Type.Object({ enabled: Type.Boolean(), port: Port }, Strict),
    smtps: Type.Object({ enabled: Type.Boolean(), port: Port }, Strict),
    /** Processes accepting SMTP on this node: the relay plus (N − 1) ingress-only workers on the same ports (SO_REUSEPORT, Linux). */
    processes: Type.Integer({ minimum: 1, maximum: 64 }),
    tls: Type.Object(
      {
        /** PEM certificate and key paths; both empty → a self-signed pair is generated in dataDir. */
        cert: Type.String(),
        key: Type.String(),
      },
      Strict,
    ),
    limits: Type.Object(
      {
        maxMessageSize: Type.Integer({ minimum: 1024 }),
        maxRecipients: Type.Integer({ minimum: 1 }),
        maxConnectionsPerTenant: Type.Integer({ minimum: 1 }),
        maxConnections: Type.Integer({ minimum: 1 }),
        /** AUTH failures allowed per client IP within the window before that IP is throttled. */
        authFailuresPerIp: Type.Integer({ minimum: 1 }),
        authFailureWindow: Type.String(),
        /** After this many failures in the window the connection is dropped at once. */
        authFailuresDisconnect: Type.Integer({ minimum: 1 }),
        socketTimeout: Type.String(),
      },
      Strict,
    ),
  },
  Strict,
);
