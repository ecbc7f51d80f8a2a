#include "services/sts/sts_handlers.h"

namespace orgtwin::services::sts {

Result<boost::json::object> GetCallerIdentity(gateway::RequestContext& ctx,
                                              const boost::json::object& /*input*/) {
  const auth::Principal& caller = ctx.caller;
  // AWS-COMPAT: a role session's UserId is "<role unique id>:<session>"; until IAM roles carry
  // unique IDs (issue 4) the stored principal already holds the full value.
  return boost::json::object{
      {"UserId", caller.user_id}, {"Account", caller.account_id}, {"Arn", caller.arn}};
}

Status RegisterStsHandlers(gateway::Gateway& gateway) {
  return gateway.Register("sts", "GetCallerIdentity", GetCallerIdentity);
}

}  // namespace orgtwin::services::sts
