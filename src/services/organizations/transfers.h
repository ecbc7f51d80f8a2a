// File: services/organizations/transfers.h
//
// Responsibility (billing) transfers (AWS-FACTS 2.10): a partner's management account invites a
// customer organization's management account to let the partner manage and pay its bill.
// InviteOrganizationToTransferResponsibility and the answers to its TRANSFER_RESPONSIBILITY
// handshake live with the other handshakes (org_handshakes.cc); the transfer itself, and
// DescribeResponsibilityTransfer, List{Inbound,Outbound}ResponsibilityTransfers,
// TerminateResponsibilityTransfer and UpdateResponsibilityTransfer, here.
//
// Direction (as AWS names it): the inviter is the transfer's Target (the bill-transfer side:
// "inbound" for it), the invited organization its Source (bill-source: "outbound"). Each side
// sees the same rt- ID under an ARN of its own organization and direction.
//
// Status: REQUESTED while the invitation is open (EXPIRED once its handshake expired), then
// ACCEPTED, DECLINED or CANCELED with the handshake; WITHDRAWN after
// TerminateResponsibilityTransfer, in force until its end date.
#pragma once

#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/status.h"
#include "gateway/gateway.h"
#include "repo/org_repository.h"
#include "store/store.h"

namespace orgtwin::services::organizations {

inline constexpr char kTransferResponsibility[] = "TRANSFER_RESPONSIBILITY";

// The transfer's row and its reads: the Organizations repository (repo/org_repository.h).
using repo::kBillingTransfer;
using repo::TransferRow;

Status InsertTransfer(store::Transaction& tx, const TransferRow& transfer);

// The invitation's handshake was answered (ACCEPTED, DECLINED, CANCELED): its transfer follows.
Status AnswerTransfer(store::Transaction& tx, std::string_view handshake_id,
                      std::string_view status, double now);

// The limits an invitation and its acceptance both check, for the inviter `target_account` and
// the invited `source_account`: the source may have one transfer in force (outbound quota,
// HandshakeConstraintViolation RESPONSIBILITY_TRANSFER_ALREADY_EXISTS), and a chain is one level
// deep (ConstraintViolation RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION: the inviter is not
// itself billed by another organization, the source bills no one).
Status CheckTransferLimits(store::Transaction& tx, const std::string& target_account,
                           const std::string& source_account, double now);
// RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION once the inviter has this many open
// invitations and transfers in force.
Status CheckInboundQuota(store::Transaction& tx, const std::string& target_account, double now);

// DeleteOrganization's check: no open invitation or transfer in force, either way
// (ConstraintViolation ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS).
Status CheckNoActiveTransfer(store::Transaction& tx, const std::string& org_id, double now);

// A transfer's StartTimestamp: 00:00 UTC on the 1st of next month or the month after, at least a
// day away (the invitation expires a day before it).
Status ValidateTransferStart(double start, double now);

// Registers DescribeResponsibilityTransfer, the two lists, Terminate and Update.
Status RegisterResponsibilityTransferHandlers(gateway::Gateway& gateway);

}  // namespace orgtwin::services::organizations
