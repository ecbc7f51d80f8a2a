#include "services/twin/twin_register.h"

#include <string>
#include <string_view>

#include "common/json_fields.h"
#include "services/iam/console_passwords.h"
#include "services/organizations/signup.h"
#include "services/twin/default_account.h"

namespace orgtwin::services::twin {
namespace {

using Json = boost::json::object;

Status AccessDenied(std::string message) {
  return AccessDeniedError(std::move(message)).WithAwsCode("AccessDeniedException");
}

// The twin's administration (reset, clock) is for the default account's root user. Permissive
// mode and `serve --allow-reset` make every caller of it that user (gateway.cc).
Status RequireTwinAdmin(const gateway::RequestContext& ctx, std::string_view what) {
  if (ctx.caller.type == auth::PrincipalType::kRoot &&
      ctx.caller.account_id == ctx.twin.default_account.account_id) {
    return Status::Ok();
  }
  return AccessDenied("only the root user of the default account may " + std::string(what));
}

using json_fields::Str;

bool FlagOrTrue(const Json& input, std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  return v == nullptr || !v->is_bool() || v->as_bool();
}

Result<Json> ResetTwin(gateway::RequestContext& ctx, const Json&) {
  OT_RETURN_IF_ERROR(RequireTwinAdmin(ctx, "reset the twin"));
  OT_RETURN_IF_ERROR(
      services::ResetTwin(ctx.tx, ctx.twin.credentials, ctx.twin.clock, ctx.twin.default_account));
  return Json{{"status", "ok"}};
}

// Unauthenticated (the model's authtype none): anyone may sign up for an AWS account. A Password
// becomes the root user's console password, as AWS's sign-up sets one.
Result<Json> SignUp(gateway::RequestContext& ctx, const Json& input) {
  SignupRequest request{Str(input, "Email"),
                        Str(input, "AccountName"),
                        FlagOrTrue(input, "PaymentMethod"),
                        FlagOrTrue(input, "ContactInformation"),
                        Str(input, "AccountId"),
                        Str(input, "Partition")};
  OT_ASSIGN_OR_RETURN(
      SignupResult created,
      SignUpStandaloneAccount(ctx.tx, ctx.twin.credentials, ctx.twin.ids, ctx.twin.clock, request));
  const std::string password = Str(input, "Password");
  if (!password.empty()) {
    Status set =
        iam::SetConsolePassword(ctx.tx, created.account_id, "", password, ToEpochSeconds(ctx.now));
    if (set.code() == ErrorCode::kInvalidInput) {
      return InvalidInputError(set.message()).WithAwsCode("InvalidInput");
    }
    OT_RETURN_IF_ERROR(set);
  }
  return Json{{"AccountId", created.account_id},
              {"AccessKeyId", created.access_key_id},
              {"SecretAccessKey", created.secret_access_key}};
}

// The gateway has authorized payments:CreatePaymentInstrument; the account's own billing switch
// (IAM access to billing) is checked here.
Result<Json> CreatePaymentMethod(gateway::RequestContext& ctx, const Json&) {
  Status added = AddPaymentMethod(ctx.tx, ctx.caller.account_id,
                                  ctx.caller.type == auth::PrincipalType::kRoot);
  if (added.code() == ErrorCode::kAccessDenied) return AccessDenied(added.message());
  if (added.code() == ErrorCode::kNotFound) {
    return NotFoundError(added.message()).WithAwsCode("ResourceNotFoundException");
  }
  OT_RETURN_IF_ERROR(added);
  return Json{{"AccountId", ctx.caller.account_id}, {"HasPaymentMethod", true}};
}

constexpr gateway::HandlerEntry kHandlers[] = {
    {"ResetTwin", ResetTwin},
    // moto_server's reset path, for suites written against moto.
    {"ResetMotoServer", ResetTwin},
    {"SignUp", SignUp},
    {"CreatePaymentMethod", CreatePaymentMethod},
};

}  // namespace

Status RegisterTwinHandlers(gateway::Gateway& gateway) {
  return gateway.RegisterAll("orgtwin", kHandlers);
}

}  // namespace orgtwin::services::twin
