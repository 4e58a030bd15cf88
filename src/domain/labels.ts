// Fraud labels on `<topic>.labels`: one per fraudulent transaction, keyed by
// its episode (an episode's labels stay in order), published once the
// transaction itself was acknowledged. Nothing of the label is in the
// transaction message: a consumer of the transactions topic cannot tell.

import type { FraudLabel } from '../generator/fraud.js';
import { isoTime } from './iso-time.js';

export const FRAUD_LABEL_VERSION = 1;

export interface FraudLabelMessage extends FraudLabel {
  readonly version: typeof FRAUD_LABEL_VERSION;
  readonly labelledAt: string;
}

export function encodeFraudLabel(label: FraudLabel, labelledAtMs: number): string {
  const message: FraudLabelMessage = {
    version: FRAUD_LABEL_VERSION,
    transactionId: label.transactionId,
    accountId: label.accountId,
    scenario: label.scenario,
    episodeId: label.episodeId,
    step: label.step,
    labelledAt: isoTime(labelledAtMs),
  };
  return JSON.stringify(message);
}
