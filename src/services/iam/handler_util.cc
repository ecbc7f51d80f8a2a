#include "services/iam/handler_util.h"

#include <algorithm>

#include "policy/document.h"

namespace orgtwin::services::iam {

std::string Str(const Json& input, std::string_view key, std::string_view fallback) {
  const boost::json::value* v = input.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return std::string(v->as_string());
}

bool Has(const Json& input, std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  return v != nullptr && !v->is_null();
}

std::optional<int64_t> Int(const Json& input, std::string_view key) {
  const boost::json::value* v = input.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return std::nullopt;
}

bool Bool(const Json& input, std::string_view key, bool fallback) {
  const boost::json::value* v = input.if_contains(key);
  return v != nullptr && v->is_bool() ? v->as_bool() : fallback;
}

const boost::json::array& Array(const Json& input, std::string_view key) {
  static const boost::json::array kEmpty;
  const boost::json::value* v = input.if_contains(key);
  return v != nullptr && v->is_array() ? v->as_array() : kEmpty;
}

Status Exec(store::Transaction& tx, std::string_view sql, const std::vector<store::Value>& params) {
  Result<int64_t> changed = tx.Execute(sql, params);
  return changed.ok() ? Status::Ok() : changed.status();
}

Result<int64_t> CountRows(store::Transaction& tx, std::string_view sql,
                          const std::vector<store::Value>& params) {
  OT_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  return rows.empty() ? 0 : rows.front().Int(0);
}

Result<Page> ParsePage(const Json& input) {
  Page page;
  if (Has(input, "Marker")) {
    OT_ASSIGN_OR_RETURN(page.start_key, DecodeMarker(Str(input, "Marker")));
  }
  if (std::optional<int64_t> max = Int(input, "MaxItems"); max.has_value()) {
    // The model bounds MaxItems to 1..1000; the protocol layer has already checked it.
    page.max_items = static_cast<size_t>(std::clamp<int64_t>(*max, 1, 1000));
  }
  return page;
}

void EmitPage(std::vector<std::pair<std::string, boost::json::value>> items, const Page& page,
              std::string_view list, Json& output) {
  boost::json::array out;
  size_t i = 0;
  while (i < items.size() && items[i].first < page.start_key) ++i;
  for (; i < items.size() && out.size() < page.max_items; ++i) {
    out.push_back(std::move(items[i].second));
  }
  bool truncated = i < items.size();
  output[list] = std::move(out);
  output["IsTruncated"] = truncated;
  if (truncated) output["Marker"] = EncodeMarker(items[i].first);
}

Status ValidateManagedDocument(std::string_view document) {
  policy::ParseOptions options;
  options.size_rule = policy::SizeRule::kManaged;
  options.require_current_version = true;
  Result<policy::PolicyDocument> parsed =
      policy::ParsePolicy(document, policy::Flavour::kIdentity, options);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

Result<PolicyRow> CheckAttachable(store::Transaction& tx, std::string_view account_id,
                                  std::string_view arn) {
  OT_ASSIGN_OR_RETURN(auto policy, ResolvePolicyArn(tx, account_id, arn));
  if (!policy.has_value() || !policy->is_attachable) {
    return NoSuchEntity("Policy " + std::string(arn) + " does not exist or is not attachable.");
  }
  return *std::move(policy);
}

Result<Json> TagEntity(gateway::RequestContext& ctx, const Json& input,
                       std::string_view entity_type, const IdResolver& resolve) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string id, resolve(tx, input));
  OT_RETURN_IF_ERROR(ApplyTags(tx, entity_type, id, Array(input, "Tags")));
  return Json();
}

Result<Json> UntagEntity(gateway::RequestContext& ctx, const Json& input,
                         std::string_view entity_type, const IdResolver& resolve) {
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string id, resolve(tx, input));
  OT_RETURN_IF_ERROR(RemoveTags(tx, entity_type, id, Array(input, "TagKeys")));
  return Json();
}

Result<Json> ListEntityTags(gateway::RequestContext& ctx, const Json& input,
                            std::string_view entity_type, const IdResolver& resolve) {
  OT_ASSIGN_OR_RETURN(Page page, ParsePage(input));
  store::Transaction& tx = ctx.tx;
  OT_ASSIGN_OR_RETURN(std::string id, resolve(tx, input));
  OT_ASSIGN_OR_RETURN(boost::json::array tags, ReadTags(tx, entity_type, id));
  std::vector<std::pair<std::string, boost::json::value>> items;
  for (size_t i = 0; i < tags.size(); ++i) {
    // Zero-padded positions sort as numbers.
    std::string key = std::to_string(i);
    key.insert(0, 8 - std::min<size_t>(8, key.size()), '0');
    items.emplace_back(std::move(key), std::move(tags[i]));
  }
  Json out;
  EmitPage(std::move(items), page, "Tags", out);
  return out;
}

}  // namespace orgtwin::services::iam
