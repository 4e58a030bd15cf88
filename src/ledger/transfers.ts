// A transfer in two steps, so that no batch ever locks an account of another
// partition (the topic is keyed by account, one partition per consumer):
//
//   1. the source's partition decides the transfer and debits the source;
//   2. after that commit, and before its offsets are committed, the ledger
//      produces the credit leg: a `transfer_in` message keyed by the
//      destination, whose partition then credits it under its own lock.
//
// Between the two the money is in flight: an approved transfer without its
// credit leg. Money is conserved counting it (the sum of balances is the
// openings and the outside flows less what is in flight: the audit's
// per-account and transfer-leg checks together), and once the ledger group
// has consumed every message, nothing is in flight (transfers_settled). A crash between the commit and the
// produce redelivers the transfer, a duplicate then, and its credit leg is
// produced again from the stored row; the credit leg's id (transferInId)
// makes applying it exactly once.

import { transferInId } from '../domain/ids.js';
import type { TransferIn } from '../domain/message.js';
import type { Big } from '../domain/money.js';
import type { Outcome } from './decide.js';

/** An approved transfer as the ledger stores it: what its credit leg must match. */
export interface TransferState {
  readonly sourceId: string;
  readonly destinationId: string;
  readonly amount: Big;
  readonly currency: string;
  readonly eventTime: string;
}

/** The credit leg of an approved transfer, as the message the destination's partition applies. */
export function creditLeg(transferId: string, transfer: TransferState, producedAtMs: number): TransferIn {
  return {
    transactionId: transferInId(transferId),
    type: 'transfer_in',
    accountId: transfer.destinationId,
    cardId: null,
    counterpartyAccountId: transfer.sourceId,
    originalTransactionId: transferId,
    amount: transfer.amount,
    currency: transfer.currency,
    merchant: null,
    channel: null,
    eventTime: transfer.eventTime,
    producedAtMs,
  };
}

/** The credit legs of the transfers a batch approved. */
export function creditLegsOf(outcomes: readonly Outcome[], producedAtMs: number): TransferIn[] {
  return outcomes.flatMap((outcome) => {
    const t = outcome.entry.transaction;
    if (outcome.kind !== 'approved' || t.type !== 'transfer') return [];
    return [
      creditLeg(
        t.transactionId,
        {
          sourceId: t.accountId,
          destinationId: t.counterpartyAccountId,
          amount: t.amount,
          currency: t.currency,
          eventTime: t.eventTime,
        },
        producedAtMs,
      ),
    ];
  });
}

/** Whether a credit leg is exactly the one its transfer calls for (anything else is declined, invalid_transfer). */
export function matchesTransfer(credit: TransferIn, transfer: TransferState | undefined): boolean {
  return (
    transfer !== undefined &&
    credit.transactionId === transferInId(credit.originalTransactionId) &&
    credit.accountId === transfer.destinationId &&
    credit.counterpartyAccountId === transfer.sourceId &&
    credit.currency === transfer.currency &&
    credit.amount.eq(transfer.amount)
  );
}
