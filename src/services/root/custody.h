// File: services/root/custody.h
//
// Who can reach an account's root user (extension operation GetRootCustody). From custody (the
// parties and the factors each holds, migration 0016) and the current IAM and Organizations
// state, for every set of parties it closes over what they can reach together:
//   - the principals they act as: access keys they hold, IAM users whose password (and MFA
//     device, when the user has one) they hold, roles those principals may assume (trust policy
//     and identity policy), and root itself once they can sign in;
//   - the factors they gain: the primary contact phone (account:PutContactInformation, as the
//     account or from the management account with trusted access), the root mailbox
//     (account:StartPrimaryEmailUpdate from the management account), the password (a reset link
//     read in the root mailbox), the MFA (removed by the email-and-phone recovery, or by root
//     acting through an access key).
// and reports the minimal sets of parties for four goals -- sign in as root, reset the root
// password, remove the root MFA, change the root email -- each with the steps that prove it.
// Every "may this principal do X" question is the gateway's authorizer's, the same decision the
// request itself would get.
//
// Thread-safety: the handler keeps no state.
#pragma once

#include "gateway/gateway.h"
#include "services/root/root_common.h"

namespace orgtwin::services::root {

Result<Json> GetRootCustody(gateway::Gateway& gateway, gateway::RequestContext& ctx,
                            const Json& input);

}  // namespace orgtwin::services::root
