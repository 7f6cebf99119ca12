/**
 * Complaint cases (public surface of src/feedback/complaints): the Complaint-record consumer,
 * the deadline sweep that suspends tenants, and the consent submission / review operations
 * (for the admin API to expose).
 */
export { createComplaintCases, type ComplaintCases } from './cases.ts';
