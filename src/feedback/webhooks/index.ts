/**
 * Webhooks (public surface of src/feedback/webhooks): outcome records → signed JSON events in a
 * durable per-tenant outbox, delivered with undici, retried with backoff for a day.
 */
export { webhookEventsOf, createWebhookQueuer } from './events.ts';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER } from './signature.ts';
export { createWebhookDispatcher, type DispatcherSettings, type WebhookDispatcher, type WebhookStats } from './dispatcher.ts';
