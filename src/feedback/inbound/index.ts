/**
 * The inbound DSN / ARF / unsubscribe-mailto listener (public surface of src/feedback/inbound):
 * the SMTP listener and the report handler that turns accepted emails into outcome records.
 */
export { startInboundListener, type InboundListener, type InboundSettings } from './listener.ts';
export { createReportHandler, type ReportHandler, type ReportHandlerDeps, type InboundResult, type InboundCounters, type VerpSubject } from './reports.ts';
