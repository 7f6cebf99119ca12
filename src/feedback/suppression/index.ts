/**
 * Suppression (public surface of src/feedback/suppression): the outcome tail every feedback
 * consumer runs on, the pure record → action rules, and the writer that keeps the tenant and
 * global suppression lists. The RCPT gate that reads the lists lives in src/policy/suppression.ts.
 */
export { OutcomeTail, type OutcomeConsumer, type TailOptions } from './tail.ts';
export { suppressionActions, utcDayNumber, type SuppressionAction } from './rules.ts';
export { createSuppressionWriter, type SuppressionSettings, type SuppressionWriter } from './writer.ts';
