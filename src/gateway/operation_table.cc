#include "gateway/operation_table.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include <boost/json.hpp>

#include "common/ascii.h"
#include "model/service_model.h"

// Embedded by the assembler file generated in src/gateway/CMakeLists.txt; the names are the
// assembler's symbols.
// NOLINTBEGIN(readability-identifier-naming)
extern "C" {
extern const char ot_gateway_operations[];
extern const char ot_gateway_operations_end[];
}
// NOLINTEND(readability-identifier-naming)

namespace orgtwin::gateway {
namespace json = boost::json;
namespace {

std::string Key(std::string_view service, std::string_view name) {
  return std::string(service) + ":" + AsciiLowerCopy(name);
}

std::vector<std::string> Strings(const json::object& o, std::string_view member) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(member);
  if (v == nullptr || !v->is_array()) return out;
  for (const json::value& s : v->get_array()) {
    if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

AccessLevel ParseLevel(std::string_view level) {
  if (level == "Read") return AccessLevel::kRead;
  if (level == "List") return AccessLevel::kList;
  if (level == "Permissions management") return AccessLevel::kPermissionsManagement;
  if (level == "Tagging") return AccessLevel::kTagging;
  return AccessLevel::kWrite;
}

struct Override {
  std::string_view service;
  std::string_view operation;
};

bool Listed(const auto& list, std::string_view service, std::string_view operation) {
  return std::any_of(std::begin(list), std::end(list), [&](const Override& o) {
    return o.service == service && o.operation == operation;
  });
}

// AWS-COMPAT: operations whose IAM action is not named after them. ListInsightsMetricData is
// authorized as cloudtrail:LookupEvents (CloudTrail API reference, ListInsightsMetricData: "Access
// ... is linked to the cloudtrail:LookupEvents action"; with a TrailName also
// cloudtrail:ListInsightsData on the trail, added in operation_actions.cc).
struct ActionOverride {
  std::string_view service;
  std::string_view operation;
  std::string_view action;
};
// The orgtwin extension service (models/orgtwin/) stands for console actions where AWS has an
// IAM action for them: adding a payment method is payments:CreatePaymentInstrument. An override
// naming another service carries its prefix ("payments:...").
constexpr ActionOverride kActionOverrides[] = {
    {"cloudtrail", "ListInsightsMetricData", "LookupEvents"},
    {"orgtwin", "CreatePaymentMethod", "payments:CreatePaymentInstrument"},
    // AWS-COMPAT: SNS authorizes PublishBatch as sns:Publish (the catalog has no PublishBatch).
    {"sns", "PublishBatch", "Publish"},
};

// Operations whose catalog access level is Read but whose handler writes the store in the twin.
// GetSessionToken stores the session it issues (as AssumeRole* do, which are Write already);
// GenerateCredentialReport stores the report GetCredentialReport returns; the two other
// Generate* calls start a job whose ID the Get* calls read back, which the twin must store.
constexpr Override kWritesDespiteReadLevel[] = {
    {"sts", "GetSessionToken"},
    {"iam", "GenerateCredentialReport"},
    {"iam", "GenerateServiceLastAccessedDetails"},
    {"iam", "GenerateOrganizationsAccessReport"},
};

// Operations whose catalog access level is Write but which only read in the twin:
// DecodeAuthorizationMessage decodes the message it is given (AWS classes it Write).
// The orgtwin extension's GetHealth (no catalog entry, so Write by default) touches no stored
// state. (AdvanceClock writes: the twin's clock offset is stored for every node.)
constexpr Override kReadsDespiteWriteLevel[] = {
    {"sts", "DecodeAuthorizationMessage"},
    {"orgtwin", "GetHealth"},
    {"orgtwin", "GetSnsSigningCertificate"},  // reads the stored certificate
    {"orgtwin", "GetBillingDocument"},        // renders an invoice from the charges
};

// Writes that cannot change a decision: the Generate* reports write no policy.
constexpr Override kWritesNoDecision[] = {
    {"iam", "GenerateCredentialReport"},
    {"iam", "GenerateServiceLastAccessedDetails"},
    {"iam", "GenerateOrganizationsAccessReport"},
};

// Each creates a new entity (with its own tags, path, boundary or trust policy) and attaches
// nothing to an existing one. A safety property, so an explicit, conservative list: a listed
// operation must never modify an existing principal, group, policy or organization.
// CreatePolicyVersion is not here: it may become the default version of an attached policy.
// CreateOrganization is not: it changes the caller's account.
constexpr Override kOnlyAdds[] = {
    {"iam", "CreateAccessKey"},
    {"iam", "CreateGroup"},
    {"iam", "CreateInstanceProfile"},
    {"iam", "CreateLoginProfile"},
    {"iam", "CreatePolicy"},
    {"iam", "CreateRole"},
    {"iam", "CreateServiceLinkedRole"},
    {"iam", "CreateUser"},
    {"iam", "CreateVirtualMFADevice"},
    {"organizations", "CreateAccount"},
    {"organizations", "CreateOrganizationalUnit"},
    {"organizations", "CreatePolicy"},
};

struct Table {
  std::vector<std::unique_ptr<ResourceTypeInfo>> resource_types;
  std::map<std::string, std::unique_ptr<ActionInfo>, std::less<>> actions;  // Key(prefix, name)
  std::map<std::string, std::unique_ptr<OperationInfo>, std::less<>> operations;
};

std::unique_ptr<OperationInfo> MakeOperation(const Table& table, std::string_view service,
                                             std::string_view operation) {
  auto info = std::make_unique<OperationInfo>();
  info->service = std::string(service);
  info->operation = std::string(operation);
  const std::string action = ActionNameOf(service, operation);
  const size_t colon = action.find(':');
  if (auto it = table.actions.find(Key(action.substr(0, colon), action.substr(colon + 1)));
      it != table.actions.end()) {
    info->action = it->second.get();
    info->access_level = info->action->access_level;
  }
  const bool reads = info->action != nullptr && (info->access_level == AccessLevel::kRead ||
                                                 info->access_level == AccessLevel::kList);
  info->may_write = Listed(kWritesDespiteReadLevel, service, operation) ||
                    (!reads && !Listed(kReadsDespiteWriteLevel, service, operation));
  // STS calls create sessions: new principals whose policies are loaded on their first request,
  // so no cached decision goes stale.
  info->read_only =
      !info->may_write || service == "sts" || Listed(kWritesNoDecision, service, operation);
  info->only_adds = Listed(kOnlyAdds, service, operation);
  return info;
}

const Table& TheTable() {
  static const Table* table = [] {
    auto* t = new Table();
    boost::system::error_code ec;
    json::value root = json::parse(
        std::string_view(ot_gateway_operations,
                         static_cast<size_t>(ot_gateway_operations_end - ot_gateway_operations)),
        ec);
    // INVARIANT: the embedded file is generated by tools/import_policy_data.py and always parses
    // (operation_table_test checks its content).
    const json::value* services =
        !ec && root.is_object() ? root.get_object().if_contains("services") : nullptr;
    if (services == nullptr || !services->is_object()) return t;
    for (const auto& [prefix, service_value] : services->get_object()) {
      if (!service_value.is_object()) continue;
      const json::object& service = service_value.get_object();
      std::map<std::string, const ResourceTypeInfo*, std::less<>> types;
      if (auto* rts = service.if_contains("resource_types"); rts && rts->is_object()) {
        for (const auto& [name, rt] : rts->get_object()) {
          if (!rt.is_object()) continue;
          auto info = std::make_unique<ResourceTypeInfo>();
          info->name = std::string(name);
          if (auto* arn = rt.get_object().if_contains("arn"); arn && arn->is_string()) {
            info->arn_template = std::string(arn->get_string());
          }
          info->condition_keys = Strings(rt.get_object(), "condition_keys");
          types.emplace(info->name, info.get());
          t->resource_types.push_back(std::move(info));
        }
      }
      auto* actions = service.if_contains("actions");
      if (actions == nullptr || !actions->is_object()) continue;
      for (const auto& [name, action_value] : actions->get_object()) {
        if (!action_value.is_object()) continue;
        const json::object& action = action_value.get_object();
        auto info = std::make_unique<ActionInfo>();
        info->prefix = std::string(prefix);
        info->name = std::string(name);
        if (auto* level = action.if_contains("access_level"); level && level->is_string()) {
          info->access_level = ParseLevel(level->get_string());
        }
        info->condition_keys = Strings(action, "condition_keys");
        if (auto* resources = action.if_contains("resources"); resources && resources->is_array()) {
          for (const json::value& r : resources->get_array()) {
            if (!r.is_object()) continue;
            ActionResource resource;
            if (auto* type = r.get_object().if_contains("type"); type && type->is_string()) {
              auto it = types.find(std::string_view(type->get_string()));
              if (it != types.end()) resource.type = it->second;
            }
            if (resource.type == nullptr) continue;
            if (auto* required = r.get_object().if_contains("required");
                required && required->is_bool()) {
              resource.required = required->get_bool();
            }
            resource.condition_keys = Strings(r.get_object(), "condition_keys");
            info->resources.push_back(std::move(resource));
          }
        }
        t->actions.emplace(Key(prefix, name), std::move(info));
      }
    }
    // Every action is an operation of its own name; model operations the catalog lacks (newer
    // than its snapshot) and the renamed ones (kActionOverrides) are entries too, so every
    // served operation has one.
    for (const auto& [key, action] : t->actions) {
      t->operations.emplace(key, MakeOperation(*t, action->prefix, action->name));
    }
    for (const model::ServiceModel* model : model::Registry::Embedded().services()) {
      for (const auto& [name, op] : model->operations()) {
        std::string key = Key(model->signing_name, name);
        if (auto it = t->operations.find(key);
            it != t->operations.end() && it->second->operation == name) {
          continue;
        }
        t->operations.insert_or_assign(std::move(key),
                                       MakeOperation(*t, model->signing_name, name));
      }
    }
    return t;
  }();
  return *table;
}

}  // namespace

std::string_view AccessLevelName(AccessLevel level) {
  switch (level) {
    case AccessLevel::kRead:
      return "Read";
    case AccessLevel::kList:
      return "List";
    case AccessLevel::kWrite:
      return "Write";
    case AccessLevel::kPermissionsManagement:
      return "Permissions management";
    case AccessLevel::kTagging:
      return "Tagging";
  }
  return "Write";
}

const ActionInfo* FindActionInfo(std::string_view prefix, std::string_view action) {
  const Table& table = TheTable();
  auto it = table.actions.find(Key(prefix, action));
  return it == table.actions.end() ? nullptr : it->second.get();
}

const OperationInfo* FindOperationInfo(std::string_view service, std::string_view operation) {
  const Table& table = TheTable();
  auto it = table.operations.find(Key(service, operation));
  // Operation names are case-sensitive on the wire; the key is lowered only to share it with
  // the catalog's case-insensitive action names.
  if (it == table.operations.end() || it->second->operation != operation) return nullptr;
  return it->second.get();
}

std::string ActionNameOf(std::string_view service, std::string_view operation) {
  for (const ActionOverride& o : kActionOverrides) {
    if (o.service == service && o.operation == operation) {
      if (o.action.find(':') != std::string_view::npos) return std::string(o.action);
      return std::string(service) + ":" + std::string(o.action);
    }
  }
  return std::string(service) + ":" + std::string(operation);
}

std::vector<const ActionInfo*> AllActionInfos() {
  std::vector<const ActionInfo*> out;
  for (const auto& [key, action] : TheTable().actions) out.push_back(action.get());
  return out;
}

std::optional<std::string> FillArnTemplate(
    std::string_view arn_template,
    const std::function<std::optional<std::string>(std::string_view variable)>& resolve) {
  std::string out;
  size_t pos = 0;
  while (pos < arn_template.size()) {
    size_t open = arn_template.find("${", pos);
    if (open == std::string_view::npos) {
      out.append(arn_template.substr(pos));
      break;
    }
    size_t close = arn_template.find('}', open);
    if (close == std::string_view::npos) return std::nullopt;
    out.append(arn_template.substr(pos, open - pos));
    std::optional<std::string> value = resolve(arn_template.substr(open + 2, close - open - 2));
    if (!value || value->empty()) return std::nullopt;
    out.append(*value);
    pos = close + 1;
  }
  return out;
}

bool ArnMatchesTemplate(std::string_view arn, std::string_view arn_template) {
  if (arn_template.empty()) return arn.empty();
  if (arn_template.substr(0, 2) == "${") {
    size_t close = arn_template.find('}');
    if (close == std::string_view::npos) return false;
    std::string_view rest = arn_template.substr(close + 1);
    if (rest.empty()) return !arn.empty();
    // A variable stands for one or more characters; try the splits where the literal after it
    // comes next (every split when another variable follows at once).
    const std::string_view literal = rest.substr(0, std::min(rest.find("${"), rest.size()));
    auto next = [&](size_t from) { return literal.empty() ? from : arn.find(literal, from); };
    for (size_t n = next(1); n != std::string_view::npos && n <= arn.size(); n = next(n + 1)) {
      if (ArnMatchesTemplate(arn.substr(n), rest)) return true;
    }
    return false;
  }
  size_t literal = std::min(arn_template.find("${"), arn_template.size());
  if (arn.substr(0, literal) != arn_template.substr(0, literal)) return false;
  return ArnMatchesTemplate(arn.substr(literal), arn_template.substr(literal));
}

}  // namespace orgtwin::gateway
