/**
 * Operations on tenants, API keys and sending domains, shared by the `ferry` CLI and the admin
 * API (which must not duplicate them). Each validates its input, changes the state store and
 * records one AdminAction outcome.
 */
export { addTenant, resolveTenant, setTenantStatus, setRelayNetworks, recordAdminAction, type OperationContext, type TenantSettings } from './tenants.ts';
export { updateTenantSettings, validateSettingsPatch, type TenantSettingsPatch } from './tenant-settings.ts';
export { issueApiKey, revokeApiKey, listApiKeys, type IssuedApiKey } from './api-keys.ts';
export { addSendingDomain, listDomains, dnsRecordsFor, generateDkimKeys, spfRecord, type AddedDomain, type DnsRecordSuggestion } from './domains.ts';
export { validateCidr, validateDomainName, validateTenantName } from './validate.ts';
export { queueOverview, queueBulk, resolveQueueFilter, QUEUE_VERBS, type QueueFilterInput, type QueueOverview, type QueueGroupView, type QueueVerb, type QueueBulkRequest, type QueueBulkReport } from './queues.ts';
export { traceMessage, listOutcomes, findMessages, type MessageTrace, type MessageMeta, type OutcomePage, type OutcomePageQuery, type MessageSearch } from './messages.ts';
export { issueAdminToken, listAdminTokens, revokeAdminToken, publicAdminToken } from './admin-tokens.ts';
export { checkDomainDns, type DnsCheckResult } from './dns-check.ts';
export { listSuppressionPage, addManualSuppression, removeSuppressionWithNote, suppressionsCsv, resolveSuppressionScope, validateAddress, SUPPRESSION_REASONS, type SuppressionFilter, type SuppressionPage, type ManualSuppression } from './suppression.ts';
export { listCases, getCase, submitConsent, reviewCase, setWebhook, showWebhook, removeWebhook, publicWebhook, CASE_STATUSES, MAX_WEBHOOK_BATCH, type ConsentInput, type WebhookInput, type PublicWebhook } from './complaint-cases.ts';
export { rotateDkimKeys, retireDkimKeys, type RotationResult, type RetirementResult } from './dkim-rotation.ts';
export {
  listIpViews, showIp, addIp, leaseIpTo, renewIpLease, setIpAutoRenew, endIpLease, warmUpIp, quarantineIpNow, releaseIpNow, retireIpNow, revokeIp,
  validateIpAddress, durationMs, HISTORY_LIMIT, type IpView, type IpDetail, type WarmupProgress, type LeaseInput, type RevokeInput, type RevokeView,
} from './ips.ts';
export { listPoolRecords, setPool, deletePool, validatePoolName, POOL_KINDS, MAX_WEIGHT, type PoolKind, type PoolInput } from './pools.ts';
