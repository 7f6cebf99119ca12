/**
 * The public one-click unsubscribe endpoint (RFC 8058), a Fastify app apart from the admin API:
 * POST /u/:token unsubscribes (a mail client's one-click POST, or the confirmation form);
 * GET /u/:token only shows a small confirmation page, because link scanners follow GETs.
 * Exports buildUnsubscribeApp (no listen; tests may inject) and recordUnsubscribe (shared with the
 * inbound mailto handler). Each unsubscribe is one Unsubscribe outcome record; the suppression
 * writer turns it into the tenant's suppression entry.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { OutcomeRecord } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import { verifyUnsubscribeToken, type UnsubscribeSubject } from './token.ts';

export interface UnsubscribeDeps {
  readonly state: StateStore;
  readonly secret: Buffer;
  readonly now?: () => number;
  /** Told after a record was appended (the feedback loop drains its consumers at once). */
  readonly onRecorded?: () => void;
}

const PAGE = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">${body}</body></html>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Appends one Unsubscribe record unless the address is already unsubscribed from this tenant. */
export async function recordUnsubscribe(state: StateStore, subject: UnsubscribeSubject, method: 'one-click' | 'page' | 'mailto', at: number): Promise<boolean> {
  const existing = await state.findSuppression(subject.tenantId, subject.recipient, at);
  if (existing?.reason === 'unsubscribe' && existing.scope === subject.tenantId) return false;
  const record: OutcomeRecord = { type: 'Unsubscribe', at, tenantId: subject.tenantId, messageId: subject.messageId, recipient: subject.recipient.toLowerCase(), method };
  await state.appendOutcomes([record]);
  return true;
}

export function buildUnsubscribeApp(deps: UnsubscribeDeps): FastifyInstance {
  const now = deps.now ?? Date.now;
  const app = Fastify({ logger: false, bodyLimit: 4096 });
  // RFC 8058 bodies come form-encoded or multipart; only the presence of the one-click key matters.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, body));

  app.get<{ Params: { token: string } }>('/u/:token', async (request, reply) => {
    const subject = verifyUnsubscribeToken(request.params.token, deps.secret);
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (!subject) return reply.code(404).send(PAGE('Link not valid', '<p>This unsubscribe link is not valid.</p>'));
    const form = `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`;
    return reply.send(PAGE('Unsubscribe', `<p>Stop receiving these emails at <b>${escapeHtml(subject.recipient)}</b>?</p>${form}`));
  });

  app.post<{ Params: { token: string }; Body: string | undefined }>('/u/:token', async (request, reply) => {
    const subject = verifyUnsubscribeToken(request.params.token, deps.secret);
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (!subject) return reply.code(404).send(PAGE('Link not valid', '<p>This unsubscribe link is not valid.</p>'));
    const oneClick = /List-Unsubscribe=One-Click/i.test(String(request.body ?? '').replace(/\s+/g, ''));
    if (await recordUnsubscribe(deps.state, subject, oneClick ? 'one-click' : 'page', now())) deps.onRecorded?.();
    return reply.send(PAGE('Unsubscribed', `<p><b>${escapeHtml(subject.recipient)}</b> is unsubscribed.</p>`));
  });
  return app;
}
