/**
 * Billing: buying credits for auto-refill from the operator's billing endpoint.
 * Exports AutoRefill (claims one refill cluster-wide, buys, credits or pauses), billingSettings
 * (config → BillingSettings, undefined when billing.url is empty), purchaseCredits, signPurchase.
 */
export { AutoRefill, billingSettings, type AutoRefillOptions } from './auto-refill.ts';
export { purchaseCredits, signPurchase, type BillingSettings, type PurchaseRequest } from './client.ts';
export { startCreditGate, type CreditGate, type CreditGateOptions } from './gate.ts';
